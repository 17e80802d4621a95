"""Widgets that keep working on the static website.

A slider wired to Python code needs a running kernel; on the published site
there is none. :func:`frame_slider` therefore takes frames that were drawn in
advance (one PNG per parameter value), puts them in an ``ipywidgets.Stack``
and links the slider to the stack with ``jslink``. The link lives in the
browser, so the slider works on the website, in JupyterLab and in Colab.

Computing what each frame shows is the job of pure, tested functions
elsewhere in the package; this module only wires controls to pictures.

Every frame is an ``<img>`` with alt text that says what it shows (an
``ipywidgets.HTML`` frame rather than an ``ipywidgets.Image``, which has no
alt), and on the site ``_static/frame-slider.js`` gives the slider handle an
accessible name and makes it announce the value it selects. Displayed in a
notebook, the slider is preceded by a ``<noscript>`` copy of the frame it shows
first, so a page read with JavaScript off still shows a figure; with
JavaScript on (the site, JupyterLab, Colab) that copy stays hidden.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence

from ._optional import require

__all__ = ["FRAME_DPI", "figure_to_png", "render_frames", "frame_alts", "frame_slider",
           "frame_grid"]

CSS_CLASS = "trnn-frame-slider"

FRAME_DPI = 144
"""Resolution of the frames: that of the static figures (``savefig.dpi`` of the book's style),
so that a frame stretched to the text column is as sharp on a HiDPI screen as a figure."""


def figure_to_png(fig, *, dpi: int = FRAME_DPI) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it.

    The PNG carries no timestamp or software version, so the same figure gives
    the same bytes on every build.
    """
    import io

    plt = require("matplotlib.pyplot")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def render_frames(draw: Callable, values: Sequence, *, dpi: int = FRAME_DPI) -> list[bytes]:
    """Call ``draw(value)`` for each value and return the figures as PNG bytes.

    Parameters
    ----------
    draw : callable
        Takes one parameter value and returns a matplotlib Figure.
    values : sequence
        The parameter values, one frame each.
    dpi : int
        Resolution of the frames; by default that of the static figures.
    """
    return [figure_to_png(draw(v), dpi=dpi) for v in values]


def frame_alts(labels: Sequence[str], alt, description: str = "") -> list[str]:
    """The alt text of each frame of a :func:`frame_slider`.

    Parameters
    ----------
    labels : sequence of str
        The slider's value at each frame, e.g. ``"0.90"``.
    alt : str, sequence of str or None
        What the frames show. One string serves every frame, with ``{label}``
        replaced by the frame's value (a string without ``{label}`` gets the
        value appended); a sequence gives one text per frame. ``None`` gives a
        bare "frame i of n" description; chapters should say what is drawn.
    description : str
        The slider's description, used to name the value.

    Returns
    -------
    list of str
        One non-empty description per frame.
    """
    labels = [str(lab) for lab in labels]
    name = description or "value"
    if alt is None:
        return [f"Frame {i + 1} of {len(labels)}: {name} = {lab}" for i, lab in enumerate(labels)]
    if isinstance(alt, str):
        if not alt.strip():
            raise ValueError("alt must describe what the frames show, got an empty string")
        if "{label}" in alt:
            return [alt.replace("{label}", lab) for lab in labels]
        return [f"{alt.rstrip().rstrip('.')} ({name} = {lab})." for lab in labels]
    alts = list(alt)
    if len(alts) != len(labels):
        raise ValueError(f"alt must have one entry per frame ({len(labels)}), got {len(alts)}")
    for i, text in enumerate(alts):
        if not isinstance(text, str):
            raise TypeError(f"alt[{i}] must be a str, got {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"alt[{i}] must describe frame {i}, got an empty string")
    return alts


def _img_tag(png: bytes, alt: str, width: str = "100%") -> str:
    """An ``<img>`` holding a PNG inline (a data URI), with its alt text."""
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    style = f"width: {html.escape(width)}; max-width: 100%; height: auto"
    return f'<img src="{src}" alt="{html.escape(alt)}" style="{style}">'


def _noscript_html(png: bytes, alt: str, description: str, label: str, count: int,
                   width: str = "100%") -> str:
    """A ``<noscript>`` block holding one frame, for pages read without JavaScript."""
    shown = f"{description} = {label}" if description else label
    frames = f"{count} frames" if count != 1 else "1 frame"
    note = (f"An interactive figure: with JavaScript on, a slider moves through its "
            f"{frames}. Shown here: {shown}.")
    return (f'<noscript><div class="{CSS_CLASS}-fallback">{_img_tag(png, alt, width)}'
            f"<p>{html.escape(note)}</p></div></noscript>")


_CLASSES: dict[str, type] = {}


def _frame_slider_class(widgets) -> type:
    """``ipywidgets.VBox`` with a static fallback shown before it (built once)."""
    if "FrameSlider" not in _CLASSES:

        class FrameSlider(widgets.VBox):
            """A :func:`frame_slider`: a VBox that displays a ``<noscript>`` frame first."""

            _fallback_html = ""

            def _ipython_display_(self):
                from IPython.display import HTML, display

                if not callable(self._repr_mimebundle_):  # closed: no view left to show
                    display({"text/plain": repr(self)}, raw=True)
                    return
                if self._fallback_html:
                    display(HTML(self._fallback_html))
                display(self._repr_mimebundle_(), raw=True)

        _CLASSES["FrameSlider"] = FrameSlider
    return _CLASSES["FrameSlider"]


def frame_slider(
    frames: Sequence[bytes],
    labels: Sequence[str],
    *,
    description: str = "",
    start: int = 0,
    width: str = "100%",
    alt=None,
):
    """A slider that flips through precomputed frames, in the browser alone.

    Parameters
    ----------
    frames : sequence of bytes
        PNG images, one per slider position.
    labels : sequence of str
        What the slider shows at each position (unique), e.g. ``"0.90"``; a
        screen reader announces this value, not the position.
    description : str
        Text to the left of the slider, e.g. ``"scale of W"``; also the
        slider's accessible name on the site.
    start : int
        Index of the frame shown first (and shown alone when JavaScript is off).
    width : str
        CSS width of the image.
    alt : str, sequence of str or None
        What each frame shows, for readers who cannot see it: one string with
        ``{label}`` where the frame's value goes, or one string per frame
        (see :func:`frame_alts`).

    Returns
    -------
    ipywidgets.VBox
        The slider above the stack of images; it carries the CSS class
        ``trnn-frame-slider`` (the browser test looks for it). Displayed in a
        notebook it is preceded by a ``<noscript>`` copy of the first frame.
    """
    widgets = require("ipywidgets")
    frames = list(frames)
    labels = [str(lab) for lab in labels]
    if not frames:
        raise ValueError("frames must hold at least one PNG image, got none")
    if len(labels) != len(frames):
        raise ValueError(f"labels must have one entry per frame ({len(frames)}), got {len(labels)}")
    if len(set(labels)) != len(labels):
        raise ValueError("labels must be unique, since the slider shows them as its value")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be in 0..{len(frames) - 1}, got {start}")
    alts = frame_alts(labels, alt, description)
    # HTML frames, not widgets.Image: an Image widget's <img> can carry no alt text.
    images = [
        widgets.HTML(value=_img_tag(png, text, width), layout=widgets.Layout(width="100%"))
        for png, text in zip(frames, alts, strict=True)
    ]
    stack = widgets.Stack(images, selected_index=start)
    slider = widgets.SelectionSlider(
        options=labels,
        index=start,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="90%"),
    )
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    box = _frame_slider_class(widgets)([slider, stack])
    box._fallback_html = _noscript_html(frames[start], alts[start], description,
                                        labels[start], len(frames), width)
    box.add_class(CSS_CLASS)
    return box


def frame_grid(frames, axes: Sequence[tuple[str, Sequence[str]]], *, start=None,
               width: str = "100%", alt: str = "Frame"):
    """Several sliders over a grid of precomputed frames, in the browser alone.

    One slider per axis of the grid. The frames sit in nested
    ``ipywidgets.Stack`` widgets, one level per axis; the slider of axis k is
    ``jslink``ed to the ``selected_index`` of every stack at level k, so the
    picture shown is always the one at the sliders' values.

    Parameters
    ----------
    frames : mapping of tuple of int to bytes
        The PNG at each grid position (one index per axis); every position
        must be present.
    axes : sequence of (str, sequence of str)
        For each axis, the slider's description and its labels (unique).
    start : tuple of int, optional
        The grid position shown first (default: the first of every axis).
    width : str
        CSS width of the images.
    alt : str
        What every frame shows; each frame's alt text adds the sliders' values.

    Returns
    -------
    ipywidgets.VBox
        The sliders above the nested stacks; it carries the CSS class
        ``trnn-frame-slider`` (the browser test moves its first slider).
    """
    import itertools

    widgets = require("ipywidgets")
    axes = [(str(d), [str(lab) for lab in labels]) for d, labels in axes]
    if not axes:
        raise ValueError("axes must name at least one slider, got none")
    sizes = tuple(len(labels) for _, labels in axes)
    for d, labels in axes:
        if not labels or len(set(labels)) != len(labels):
            raise ValueError(f"the labels of axis {d!r} must be unique and not empty")
    missing = [pos for pos in itertools.product(*map(range, sizes)) if pos not in frames]
    if missing:
        raise ValueError(f"frames must hold a PNG at every grid position; missing {missing[0]}")
    start = tuple(start) if start is not None else (0,) * len(sizes)
    if len(start) != len(sizes) or not all(0 <= i < n for i, n in zip(start, sizes, strict=True)):
        raise ValueError(f"start must be a position in a grid of shape {sizes}, got {start}")
    levels: list[list] = [[] for _ in sizes]

    def build(prefix: tuple):
        depth = len(prefix)
        if depth == len(sizes):
            values = ", ".join(f"{d} {axes[k][1][i]}" for k, (d, i) in
                               enumerate(zip((a[0] for a in axes), prefix, strict=True)))
            return widgets.HTML(_img_tag(frames[prefix], f"{alt} ({values})", width))
        stack = widgets.Stack([build(prefix + (i,)) for i in range(sizes[depth])],
                              selected_index=start[depth])
        levels[depth].append(stack)
        return stack

    root = build(())
    sliders = []
    for depth, (description, labels) in enumerate(axes):
        slider = widgets.SelectionSlider(
            options=labels, index=start[depth], description=description,
            continuous_update=True, style={"description_width": "initial"},
            layout=widgets.Layout(width="90%"))
        for stack in levels[depth]:
            widgets.jslink((slider, "index"), (stack, "selected_index"))
        sliders.append(slider)
    box = widgets.VBox([*sliders, root])
    box.add_class(CSS_CLASS)
    return box
