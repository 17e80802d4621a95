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


def frame_grid(
    frames: Sequence[Sequence[bytes]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    row_description: str = "",
    col_description: str = "",
    start: tuple[int, int] = (0, 0),
    width: str = "100%",
):
    """Two sliders over a grid of precomputed frames, in the browser alone.

    The first slider picks a row (a child of an outer ``Stack``); the second
    is ``jslink``ed to the ``selected_index`` of every row's inner ``Stack``,
    so it picks the column whatever the row.

    Parameters
    ----------
    frames : sequence of sequences of bytes
        ``frames[i][j]``: the PNG for row i and column j (every row has one
        frame per column).
    row_labels, col_labels : sequence of str
        What the two sliders show (unique within each).
    row_description, col_description : str
        Text to the left of each slider.
    start : (int, int)
        The row and column shown first.
    width : str
        CSS width of the images.

    Returns
    -------
    ipywidgets.VBox
        The two sliders above the nested stacks, with the CSS class
        ``trnn-frame-slider``.
    """
    widgets = require("ipywidgets")
    rows = [list(r) for r in frames]
    row_labels = [str(v) for v in row_labels]
    col_labels = [str(v) for v in col_labels]
    if not rows or not rows[0]:
        raise ValueError("frames must hold at least one row of PNG images, got none")
    if len(row_labels) != len(rows):
        raise ValueError(f"row_labels must have one entry per row ({len(rows)}), "
                         f"got {len(row_labels)}")
    if any(len(r) != len(col_labels) for r in rows):
        raise ValueError(f"every row of frames must have one frame per column label "
                         f"({len(col_labels)})")
    for name, labels in (("row_labels", row_labels), ("col_labels", col_labels)):
        if len(set(labels)) != len(labels):
            raise ValueError(f"{name} must be unique, since a slider shows them as its value")
    i0, j0 = start
    if not (0 <= i0 < len(rows) and 0 <= j0 < len(col_labels)):
        raise ValueError(f"start must be inside the grid {len(rows)} x {len(col_labels)}, "
                         f"got {start}")
    layout = widgets.Layout(width=width, max_width="100%", height="auto")
    inner = [widgets.Stack([widgets.Image(value=png, format="png", layout=layout)
                            for png in row], selected_index=j0) for row in rows]
    outer = widgets.Stack(inner, selected_index=i0)

    def slider(labels, index, description):
        return widgets.SelectionSlider(
            options=labels, index=index, description=description, continuous_update=True,
            style={"description_width": "initial"}, layout=widgets.Layout(width="90%"))

    row_slider = slider(row_labels, i0, row_description)
    col_slider = slider(col_labels, j0, col_description)
    widgets.jslink((row_slider, "index"), (outer, "selected_index"))
    for stack in inner:
        widgets.jslink((col_slider, "index"), (stack, "selected_index"))
    box = widgets.VBox([row_slider, col_slider, outer])
    box.add_class(CSS_CLASS)
    return box
