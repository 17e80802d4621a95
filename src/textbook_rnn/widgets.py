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

:func:`frame_grid` does the same over a grid of two (or more) parameters: one
slider per parameter, nested ``Stack`` widgets, and one ``jslink`` from each
slider to every stack at its depth, so that each slider moves on its own in
the browser. An ordered sweep can get a ``Play`` button (``play=True``),
``jslink``-ed to the first slider; it too runs without a kernel.
:func:`explorer` gives both paths in one call: the precomputed grid for the
static site and, below it, live controls (continuous sliders and, if asked, a
text box for the reader's own matrix) that call the same pure drawing
function while a kernel runs. The live box carries the class
``trnn-needs-kernel``: the book's stylesheet hides it on the static site, where
it could only be a dead control, and its title says that it needs a running
kernel wherever it is shown.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence

from ._optional import require

__all__ = ["FRAME_DPI", "figure_to_png", "render_frames", "render_grid", "frame_alts",
           "grid_alts", "frame_slider", "frame_grid", "parse_matrix", "explorer", "Explorer"]

CSS_CLASS = "trnn-frame-slider"
LIVE_CLASS = "trnn-needs-kernel"
PLAY_INTERVAL_MS = 800
"""How long each frame stays on screen while a ``Play`` button runs, in milliseconds."""

FRAME_DPI = 144
"""Resolution of the frames: that of the static figures (``savefig.dpi`` of the book's style),
so that a frame stretched to the text column is as sharp on a HiDPI screen as a figure."""


def figure_to_png(fig, *, dpi: int = FRAME_DPI, colours: int | None = None) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it.

    The PNG carries no timestamp or software version, so the same figure gives
    the same bytes on every build.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int
        Resolution.
    colours : int, optional
        Store the picture with a palette of at most this many colours (2 to
        256; median cut, no dithering) instead of full RGBA. A line plot loses
        nothing visible at 64 colours and shrinks about three times: what lets
        a grid of a hundred frames stay light enough for one page.
    """
    import io

    plt = require("matplotlib.pyplot")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    if colours is None:
        return buf.getvalue()
    if not isinstance(colours, int) or not 2 <= colours <= 256:
        raise ValueError(f"colours must be an int in 2..256 or None, got {colours!r}")
    Image = require("PIL.Image")
    buf.seek(0)
    with Image.open(buf) as img:
        small = img.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _progress(items: list, label: str | None) -> list:
    """``items`` wrapped in a progress bar (tqdm's notebook bar) when ``label`` is given.

    The bar shows the count, never timings, so a page reads the same on every build.
    """
    if not label:
        return items
    tqdm = require("tqdm.auto").tqdm
    return tqdm(items, desc=label, unit="frames", mininterval=0.5,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit}")


def render_frames(draw: Callable, values: Sequence, *, dpi: int = FRAME_DPI,
                  colours: int | None = None, progress: str | None = None) -> list[bytes]:
    """Call ``draw(value)`` for each value and return the figures as PNG bytes.

    Parameters
    ----------
    draw : callable
        Takes one parameter value and returns a matplotlib Figure.
    values : sequence
        The parameter values, one frame each.
    dpi : int
        Resolution of the frames; by default that of the static figures.
    colours : int, optional
        Palette size of each PNG (see :func:`figure_to_png`); full colour by default.
    progress : str, optional
        Show a progress bar with this label (for a cell that draws many frames).
    """
    return [figure_to_png(draw(v), dpi=dpi, colours=colours)
            for v in _progress(list(values), progress)]


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
                   width: str = "100%", controls: str = "a slider moves") -> str:
    """A ``<noscript>`` block holding one frame, for pages read without JavaScript."""
    shown = f"{description} = {label}" if description else label
    frames = f"{count} frames" if count != 1 else "1 frame"
    note = (f"An interactive figure: with JavaScript on, {controls} through its "
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
    play: bool = False,
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
    play : bool
        Add a ``Play`` button that steps through the frames in order (for a
        parameter that is time or an ordered sweep), ``jslink``-ed to the
        slider. It runs without a kernel too: on the static site the book's
        ``_static/frame-slider.js`` keeps the theme's icon script from breaking
        it (see CONTRIBUTING.md, "Widgets on the static site").

    Returns
    -------
    ipywidgets.VBox
        The slider (and play button) above the stack of images; it carries the CSS class
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
    controls = [_play_row(widgets, slider, len(frames), start)] if play else [slider]
    box = _frame_slider_class(widgets)([*controls, stack])
    box._fallback_html = _noscript_html(frames[start], alts[start], description,
                                        labels[start], len(frames), width)
    box.add_class(CSS_CLASS)
    return box


def _play_axis(play, n_axes: int) -> int:
    """The index of the parameter a grid's ``Play`` button steps (``True`` is the first)."""
    if play is True:
        return 0
    if isinstance(play, bool) or not isinstance(play, numbers.Integral):
        raise TypeError(f"play must be True, False or a parameter index, got {play!r}")
    if not 0 <= int(play) < n_axes:
        raise ValueError(f"play must be a parameter index in 0..{n_axes - 1}, got {play}")
    return int(play)


def _play_row(widgets, slider, count: int, start: int):
    """A ``Play`` button ``jslink``-ed to ``slider``'s index, in a row with the slider."""
    # No description: the slider beside it names the parameter; the site's
    # frame-slider.js names each button (play, pause, stop, repeat).
    play = widgets.Play(value=start, min=0, max=count - 1, step=1, interval=PLAY_INTERVAL_MS,
                        tooltip=f"Step through {slider.description or 'the frames'}",
                        layout=widgets.Layout(width="auto", flex="0 0 auto"))
    widgets.jslink((play, "value"), (slider, "index"))
    slider.layout.width = "auto"
    slider.layout.flex = "1 1 auto"
    return widgets.HBox([play, slider], layout=widgets.Layout(width="90%", align_items="center"))


# --- grids of frames over two or more parameters ----------------------------------------


def _check_axes(labels, descriptions) -> tuple[list[list[str]], list[str]]:
    if isinstance(labels, str) or not isinstance(labels, Sequence) or len(labels) < 2:
        raise ValueError("labels must hold one sequence of labels per parameter (at least two "
                         f"parameters), got {labels!r:.80}")
    axes = [[str(lab) for lab in axis] for axis in labels]
    for k, axis in enumerate(axes):
        if not axis:
            raise ValueError(f"labels[{k}] must hold at least one label, got none")
        if len(set(axis)) != len(axis):
            raise ValueError(f"labels[{k}] must be unique, since a slider shows them as values")
    descriptions = list(descriptions) if descriptions is not None else [""] * len(axes)
    if len(descriptions) != len(axes):
        raise ValueError(f"descriptions must have one entry per parameter ({len(axes)}), "
                         f"got {len(descriptions)}")
    return axes, [str(d) for d in descriptions]


def grid_alts(labels: Sequence[Sequence[str]], alt, descriptions: Sequence[str] | None = None
              ) -> list[str]:
    """The alt text of each frame of a :func:`frame_grid`, in row-major order.

    Parameters
    ----------
    labels : sequence of sequences of str
        The values of each parameter, e.g. ``[["0.8", "0.9"], ["0°", "30°", "60°"]]``.
    alt : str, sequence of str or None
        What the frames show. One string serves every frame, with ``{0}``,
        ``{1}`` ... replaced by the frame's value of the first, second ...
        parameter (a string without them gets the values appended); a sequence
        gives one text per frame, in row-major order. ``None`` gives a bare
        "frame i of n" description.
    descriptions : sequence of str, optional
        The sliders' descriptions, used to name the values.

    Returns
    -------
    list of str
        One non-empty description per frame: ``alts[i * len(labels[1]) + j]``
        for the i-th value of the first parameter and the j-th of the second.
    """
    axes, names = _check_axes(labels, descriptions)
    names = [name or f"parameter {k + 1}" for k, name in enumerate(names)]
    combos = list(itertools.product(*axes))
    n = len(combos)

    def values(combo):
        return ", ".join(f"{name} = {lab}" for name, lab in zip(names, combo, strict=True))

    if alt is None:
        return [f"Frame {i + 1} of {n}: {values(c)}" for i, c in enumerate(combos)]
    if isinstance(alt, str):
        if not alt.strip():
            raise ValueError("alt must describe what the frames show, got an empty string")
        if "{0}" in alt:
            return [alt.format(*c) for c in combos]
        return [f"{alt.rstrip().rstrip('.')} ({values(c)})." for c in combos]
    return frame_alts([str(i) for i in range(n)], list(alt))


def render_grid(draw: Callable, *values: Sequence, dpi: int = FRAME_DPI,
                colours: int | None = None, progress: str | None = None) -> list[bytes]:
    """Call ``draw(a, b, ...)`` for every combination of values and return PNG bytes.

    Parameters
    ----------
    draw : callable
        Takes one value of each parameter and returns a matplotlib Figure.
    *values : sequences
        The values of each parameter, in the order of ``draw``'s arguments.
    dpi : int
        Resolution of the frames.
    colours : int, optional
        Palette size of each PNG (see :func:`figure_to_png`).
    progress : str, optional
        Show a progress bar with this label (for a cell that draws many frames).

    Returns
    -------
    list of bytes
        In row-major order (the last parameter varies fastest), as
        :func:`frame_grid` expects.
    """
    if not values:
        raise ValueError("render_grid needs the values of at least one parameter, got none")
    return [figure_to_png(draw(*combo), dpi=dpi, colours=colours)
            for combo in _progress(list(itertools.product(*values)), progress)]


def _nested_stacks(widgets, images: list, sizes: list[int], start: list[int]):
    """Stacks nested one level per parameter; returns the outer stack and the stacks per depth."""
    levels: list[list] = [[] for _ in sizes]

    def build(items: list, depth: int):
        if depth == len(sizes) - 1:
            stack = widgets.Stack(items, selected_index=start[depth])
        else:
            step = len(items) // sizes[depth]
            children = [build(items[i * step:(i + 1) * step], depth + 1)
                        for i in range(sizes[depth])]
            stack = widgets.Stack(children, selected_index=start[depth])
        levels[depth].append(stack)
        return stack

    return build(images, 0), levels


def frame_grid(
    frames: Sequence[bytes],
    labels: Sequence[Sequence[str]],
    *,
    descriptions: Sequence[str] | None = None,
    start: Sequence[int] | None = None,
    width: str = "100%",
    alt=None,
    play: bool = False,
):
    """Sliders, one per parameter, that flip through a precomputed grid of frames.

    Each slider is ``jslink``-ed to the ``selected_index`` of every ``Stack``
    at its depth (the first slider to the outer stack, the second to each of
    its children, ...), so each moves independently in the browser, with no
    kernel: on the static site, in JupyterLab and in Colab.

    Parameters
    ----------
    frames : sequence of bytes
        PNG images in row-major order: for two parameters,
        ``frames[i * len(labels[1]) + j]`` shows the i-th value of the first
        and the j-th of the second (:func:`render_grid` returns them so).
    labels : sequence of sequences of str
        The values each slider shows, one sequence per parameter (at least two).
    descriptions : sequence of str, optional
        One description per slider; also its accessible name on the site.
    start : sequence of int, optional
        The index of each parameter shown first; by default the first values.
    width : str
        CSS width of the images.
    alt : str, sequence of str or None
        What each frame shows (see :func:`grid_alts`).
    play : bool or int
        Add a ``Play`` button that steps one parameter through its values:
        ``True`` the first, an integer the parameter of that index (time, or
        the ordered sweep).

    Returns
    -------
    ipywidgets.VBox
        The sliders above the nested stacks, with the CSS class
        ``trnn-frame-slider``; displayed in a notebook it is preceded by a
        ``<noscript>`` copy of the first frame.
    """
    widgets = require("ipywidgets")
    axes, names = _check_axes(labels, descriptions)
    frames = list(frames)
    sizes = [len(axis) for axis in axes]
    count = 1
    for size in sizes:
        count *= size
    if len(frames) != count:
        raise ValueError(f"frames must hold one PNG per combination of labels "
                         f"({' × '.join(map(str, sizes))} = {count}), got {len(frames)}")
    start = [0] * len(axes) if start is None else [int(i) for i in start]
    if len(start) != len(axes):
        raise ValueError(f"start must have one index per parameter ({len(axes)}), got {len(start)}")
    for k, (i, size) in enumerate(zip(start, sizes, strict=True)):
        if not 0 <= i < size:
            raise ValueError(f"start[{k}] must be in 0..{size - 1}, got {i}")
    alts = grid_alts(axes, alt, names)
    images = [widgets.HTML(value=_img_tag(png, text, width), layout=widgets.Layout(width="100%"))
              for png, text in zip(frames, alts, strict=True)]
    outer, levels = _nested_stacks(widgets, images, sizes, start)
    sliders = []
    for axis, name, i, stacks in zip(axes, names, start, levels, strict=True):
        slider = widgets.SelectionSlider(
            options=axis, index=i, description=name, continuous_update=True,
            style={"description_width": "initial"}, layout=widgets.Layout(width="90%"))
        for stack in stacks:  # one link per stack at this depth
            widgets.jslink((slider, "index"), (stack, "selected_index"))
        sliders.append(slider)
    controls = list(sliders)
    if play is not False:
        k = _play_axis(play, len(axes))
        controls[k] = _play_row(widgets, sliders[k], sizes[k], start[k])
    box = _frame_slider_class(widgets)([*controls, outer])
    first = 0
    for i, size in zip(start, sizes, strict=True):
        first = first * size + i
    shown = ", ".join(f"{n} = {lab}" if n else lab
                      for n, lab in zip(names, (a[i] for a, i in zip(axes, start, strict=True)),
                                        strict=True))
    box._fallback_html = _noscript_html(frames[first], alts[first], "", shown, count, width,
                                        controls=f"{len(axes)} sliders move")
    box.add_class(CSS_CLASS)
    return box


# --- live controls, for a running kernel --------------------------------------------------


def parse_matrix(text: str):
    """A square matrix from text: rows separated by ``;`` or new lines, numbers by spaces or commas.

    ``"0.9 -0.3; 0.3 0.9"`` gives ``[[0.9, -0.3], [0.3, 0.9]]``.

    Raises
    ------
    ValueError
        If an entry is not a number, the rows differ in length or the matrix is not square.
    """
    import numpy as np

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError("the matrix is empty: write rows like '0.9 -0.3; 0.3 0.9'")
    try:
        values = [[float(x) for x in r.replace(",", " ").split()] for r in rows]
    except ValueError as err:
        raise ValueError(f"every entry must be a number: {err}") from None
    widths = {len(r) for r in values}
    if len(widths) != 1 or widths != {len(values)}:
        raise ValueError(f"the matrix must be square, got {len(values)} rows of lengths "
                         f"{[len(r) for r in values]}")
    W = np.array(values)
    if not np.all(np.isfinite(W)):
        raise ValueError("every entry must be finite")
    return W


class Explorer:
    """What :func:`explorer` returns: a frame grid and live controls, displayed one after the other.

    Attributes
    ----------
    grid : ipywidgets.VBox
        The precomputed frames (:func:`frame_grid` or :func:`frame_slider`).
    live : ipywidgets.VBox
        Continuous controls that redraw with a running kernel; CSS class
        ``trnn-needs-kernel`` (hidden on the static site).
    """

    def __init__(self, grid, live):
        self.grid, self.live = grid, live

    def _ipython_display_(self):
        from IPython.display import display

        display(self.grid)
        display(self.live)


def _is_number(value) -> bool:
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _live_slider(widgets, values, i: int, description: str, log: bool):
    """A continuous slider over the finite values' range, on a log scale if asked.

    An infinite value (a frame for "off", e.g. a clipping threshold of infinity)
    has no place on a continuous track: the slider runs over the finite values
    and starts at the end nearest the infinite one.
    """
    finite = [float(v) for v in values if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    value = float(values[i])
    if not math.isfinite(value):
        value = hi if value > 0 else lo
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="90%")
    if log:
        a, b = math.log10(lo), math.log10(hi)
        return widgets.FloatLogSlider(
            value=value, base=10, min=a, max=b, step=(b - a) / 200 if b > a else 0.01,
            description=description, continuous_update=False, readout_format=".3g",
            style=style, layout=layout)
    return widgets.FloatSlider(
        value=value, min=lo, max=hi, step=(hi - lo) / 200 if hi > lo else 0.01,
        description=description, continuous_update=False, readout_format=".3f",
        style=style, layout=layout)


def _live_box(widgets, draw: Callable, axes: Mapping[str, Sequence], descriptions,
              start, matrix_draw: Callable | None, matrix_hint: str, labels=None,
              log: Sequence[str] = ()):
    """Continuous sliders (and a matrix text box) that call ``draw`` with a kernel.

    A parameter whose values are not all numbers (a kind of initialisation, a
    task) gets a drop-down of its values, shown by their labels; one named in
    ``log`` gets a slider on a logarithmic scale.
    """
    controls = {}
    labels = labels if labels is not None else [[str(v) for v in vs] for vs in axes.values()]
    for (name, values), desc, i, labs in zip(axes.items(), descriptions, start, labels,
                                             strict=True):
        if not all(_is_number(v) for v in values):
            controls[name] = widgets.Dropdown(
                options=list(zip((str(lab) for lab in labs), values, strict=True)),
                value=values[i], description=desc or name,
                style={"description_width": "initial"})
            continue
        controls[name] = _live_slider(widgets, values, i, desc or name, name in log)
    if matrix_draw is not None:
        controls["matrix"] = widgets.Text(
            value="", placeholder=matrix_hint, description="your own W",
            continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="90%"))

    def show(**kwargs):
        from IPython.display import display

        plt = require("matplotlib.pyplot")
        text = kwargs.pop("matrix", "")
        try:
            figure = matrix_draw(parse_matrix(text)) if text.strip() else draw(**kwargs)
        except ValueError as err:
            print(f"Cannot draw this: {err}")
            return
        display(figure)
        if isinstance(figure, plt.Figure):
            plt.close(figure)

    live = widgets.interactive(show, **controls)
    # No figure until the reader moves a control: the build's own first drawing
    # would be saved into the page (weight, and an <img> without alt text).
    live.out.outputs = ()
    title = widgets.HTML(
        "<b>Needs a running kernel</b> (JupyterLab, Binder, Colab): continuous values"
        + (" and your own matrix" if matrix_draw is not None else "")
        + "; move a control to draw. On the static website these controls are hidden; the "
        "sliders above work there.")
    box = widgets.VBox([title, live])
    box.add_class(LIVE_CLASS)
    return box


def explorer(
    draw: Callable,
    axes: Mapping[str, Sequence[float]],
    *,
    labels: Sequence[Sequence[str]] | None = None,
    descriptions: Sequence[str] | None = None,
    start: Sequence[int] | None = None,
    alt=None,
    play: bool = False,
    matrix_draw: Callable | None = None,
    matrix_hint: str = "rows separated by ';', e.g. 0.9 -0.3; 0.3 0.9",
    log: Sequence[str] = (),
    dpi: int = FRAME_DPI,
    colours: int | None = 64,
    width: str = "100%",
) -> Explorer:
    """One call, two paths: precomputed frames for the static site, live controls with a kernel.

    Parameters
    ----------
    draw : callable
        ``draw(**params)`` returns a matplotlib Figure; a pure function of the
        parameters, called once per frame here and again by the live sliders.
    axes : mapping from str to sequence
        The parameters (``draw``'s keyword names) and the values to precompute;
        the live sliders run continuously over the same ranges. A parameter
        whose values are not numbers (e.g. ``["gaussian", "orthogonal"]``)
        gets a drop-down among the live controls instead.
    labels : sequence of sequences of str, optional
        What the sliders show for each value; by default ``f"{v:g}"`` (``str(v)``
        for a value that is not a number).
    descriptions, start, alt, play, width
        As in :func:`frame_grid` (or :func:`frame_slider` for one parameter).
    matrix_draw : callable, optional
        ``matrix_draw(W)`` returns a Figure for the reader's own matrix, typed
        in a text box (see :func:`parse_matrix`); none without it.
    matrix_hint : str
        Placeholder of the text box.
    log : sequence of str
        Parameters whose live slider runs on a logarithmic scale (base 10);
        their values must be positive. For a track spaced evenly in the
        logarithm, as a track of ``np.geomspace`` values is. An infinite value
        (``math.inf``, e.g. "no clipping") is drawn as a frame but left off
        the continuous slider, which runs over the finite values.
    dpi : int
        Resolution of the precomputed frames.
    colours : int or None
        Palette size of each frame (see :func:`figure_to_png`); 64 by default,
        since a grid holds many frames. ``None`` keeps full colour.

    Returns
    -------
    Explorer
        Displays the frames, then the live controls (hidden on the static site).
    """
    widgets = require("ipywidgets")
    if not isinstance(axes, Mapping) or not axes:
        raise ValueError(f"axes must map each parameter name to its values, got {axes!r:.80}")
    names = list(axes)
    values = [list(axes[n]) for n in names]
    log = [log] if isinstance(log, str) else list(log)
    for name in log:
        if name not in axes:
            raise ValueError(f"log names {name!r}, which is not one of the parameters {names}")
        bad = [v for v in axes[name] if not (_is_number(v) and v > 0)]
        if bad:
            raise ValueError(f"log: the values of {name!r} must be positive numbers on a log "
                             f"scale, got {bad[0]!r}")
    for name, vs in zip(names, values, strict=True):
        if all(_is_number(v) for v in vs) and not any(math.isfinite(v) for v in vs):
            raise ValueError(f"axes[{name!r}] needs at least one finite value for its live "
                             f"slider, got {vs!r:.80}")
    if labels is None:
        labels = [[f"{v:g}" if _is_number(v) else str(v) for v in vs] for vs in values]
    descriptions = list(descriptions) if descriptions is not None else names
    start = [0] * len(names) if start is None else list(start)
    count = 1
    for vs in values:
        count *= len(vs)
    frames = render_grid(lambda *vs: draw(**dict(zip(names, vs, strict=True))), *values,
                         dpi=dpi, colours=colours, progress=f"drawing {count} frames")
    if len(names) == 1:
        grid = frame_slider(frames, labels[0], description=descriptions[0], start=start[0],
                            width=width, alt=alt, play=play)
    else:
        grid = frame_grid(frames, labels, descriptions=descriptions, start=start, width=width,
                          alt=alt, play=play)
    live = _live_box(widgets, draw, dict(zip(names, values, strict=True)), descriptions, start,
                     matrix_draw, matrix_hint, labels, log)
    return Explorer(grid, live)
