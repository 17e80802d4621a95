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

__all__ = ["FRAME_DPI", "figure_to_png", "render_frames", "frame_slider"]

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
