"""Widgets that keep working on the static website.

A slider wired to Python code needs a running kernel; on the published site
there is none. :func:`frame_slider` therefore takes frames that were drawn in
advance (one PNG per parameter value), puts them in an ``ipywidgets.Stack``
and links the slider to the stack with ``jslink``. The link lives in the
browser, so the slider works on the website, in JupyterLab and in Colab.

Computing what each frame shows is the job of pure, tested functions
elsewhere in the package; this module only wires controls to pictures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._optional import require

__all__ = ["figure_to_png", "render_frames", "frame_slider", "frame_grid"]

CSS_CLASS = "trnn-frame-slider"


def figure_to_png(fig, *, dpi: int = 96) -> bytes:
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


def render_frames(draw: Callable, values: Sequence, *, dpi: int = 96) -> list[bytes]:
    """Call ``draw(value)`` for each value and return the figures as PNG bytes.

    Parameters
    ----------
    draw : callable
        Takes one parameter value and returns a matplotlib Figure.
    values : sequence
        The parameter values, one frame each.
    dpi : int
        Resolution of the frames.
    """
    return [figure_to_png(draw(v), dpi=dpi) for v in values]


def frame_slider(
    frames: Sequence[bytes],
    labels: Sequence[str],
    *,
    description: str = "",
    start: int = 0,
    width: str = "100%",
):
    """A slider that flips through precomputed frames, in the browser alone.

    Parameters
    ----------
    frames : sequence of bytes
        PNG images, one per slider position.
    labels : sequence of str
        What the slider shows at each position (unique), e.g. ``"0.90"``.
    description : str
        Text to the left of the slider, e.g. ``"scale of W"``.
    start : int
        Index of the frame shown first.
    width : str
        CSS width of the image.

    Returns
    -------
    ipywidgets.VBox
        The slider above the stack of images; it carries the CSS class
        ``trnn-frame-slider`` (the browser test looks for it).
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
    images = [
        widgets.Image(
            value=png,
            format="png",
            layout=widgets.Layout(width=width, max_width="100%", height="auto"),
        )
        for png in frames
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
    box = widgets.VBox([slider, stack])
    box.add_class(CSS_CLASS)
    return box


def frame_grid(frames, axes: Sequence[tuple[str, Sequence[str]]], *, start=None,
               width: str = "100%"):
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
            return widgets.Image(value=frames[prefix], format="png", layout=widgets.Layout(
                width=width, max_width="100%", height="auto"))
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
