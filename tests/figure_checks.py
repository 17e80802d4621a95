"""What a figure shows, read back from the drawn figure: shared by the tests/test_figures_*.py.

Not a test module itself. The helpers draw a figure on an Agg canvas and
report what a reader sees: the texts actually drawn (tick labels included),
their size in screen pixels when the page shows the figure at the text
column's width, and whether any two of them overlap.

How a figure reaches the screen (the numbers below are the site's):

- a static figure is saved by the notebook's inline backend at the figure's
  dpi (144, :data:`textbook_rnn.figures.style.STYLE`) with
  ``bbox_inches="tight"`` (0.1 in of padding on each side) and shown at its
  own pixel size, scaled down to the column when wider;
- a widget frame (:func:`textbook_rnn.widgets.frame_slider`) is saved at the
  full figure size and always stretched to the column's width.

So a text of ``s`` points in a figure ``w`` inches wide (tight box) covers
``s * dpi / 72 * min(1, COLUMN_PX / (w * dpi))`` pixels of the screen.
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

COLUMN_PX = 730
"""Width of the site's text column in CSS pixels (the book theme at a desktop width)."""

MIN_TEXT_PX = 11.0
"""The smallest text, in CSS pixels, the body's small print at that width."""

PAD_IN = 0.1
"""Padding the inline backend adds around the tight bounding box, inches."""


@contextlib.contextmanager
def _record_drawn_texts(found: list):
    """Collect every Text that draws something while the block runs."""
    original = Text.draw

    def spy(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            found.append(self)

    Text.draw = spy
    try:
        yield found
    finally:
        Text.draw = original


def drawn_texts(fig) -> list[Text]:
    """The non-empty texts a full draw of ``fig`` puts on the canvas (ticks, legends, titles)."""
    canvas = FigureCanvasAgg(fig)
    found: list[Text] = []
    with _record_drawn_texts(found):
        canvas.draw()
    # one entry per artist (a text may be drawn twice, e.g. by a tight-bbox pass)
    return list(dict.fromkeys(found))


def screen_scale(fig, *, frame: bool = False, column: float = COLUMN_PX) -> float:
    """CSS pixels on screen per pixel of the saved PNG."""
    dpi = fig.dpi
    if frame:
        return column / (fig.get_figwidth() * dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer())
    width_px = (box.width + 2 * PAD_IN) * dpi
    return min(1.0, column / width_px)


def text_sizes_px(fig, *, frame: bool = False) -> dict[str, float]:
    """Each drawn text (by its content) and its font size in screen pixels; the smallest wins."""
    scale = screen_scale(fig, frame=frame)
    sizes: dict[str, float] = {}
    for text in drawn_texts(fig):
        px = text.get_fontsize() * fig.dpi / 72 * scale
        key = text.get_text()
        sizes[key] = min(px, sizes.get(key, np.inf))
    return sizes


def smallest_text(fig, *, frame: bool = False) -> tuple[float, str]:
    """The smallest drawn text, as (screen pixels, content)."""
    sizes = text_sizes_px(fig, frame=frame)
    key = min(sizes, key=sizes.get)
    return sizes[key], key


def overlapping_texts(fig, *, slack_px: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap by more than ``slack_px`` on each axis.

    Boxes are those of the rendered glyphs (window extents after a full draw),
    in the figure's own pixels.
    """
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    clashes = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if dx > slack_px and dy > slack_px:
            clashes.append((a, b))
    return clashes


def texts_outside(fig) -> list[str]:
    """Drawn texts that stick out of the figure (and would be cut from a frame)."""
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    W, H = fig.canvas.get_width_height()
    out = []
    for t in texts:
        box = t.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > W + 1 or box.y1 > H + 1:
            out.append(t.get_text())
    return out


# --- what an axes shows -------------------------------------------------------------------------


def legend_labels(fig_or_ax) -> list[str]:
    """Texts of every legend of a figure (figure legends first) or of one axes."""
    legends = list(getattr(fig_or_ax, "legends", []))
    axes = getattr(fig_or_ax, "axes", None)
    if isinstance(axes, list):
        legends += [ax.get_legend() for ax in axes if ax.get_legend() is not None]
    elif fig_or_ax.get_legend() is not None:
        legends.append(fig_or_ax.get_legend())
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def all_text(fig) -> str:
    """Every drawn text of the figure joined by ' | ' (for `in` checks)."""
    return " | ".join(t.get_text() for t in drawn_texts(fig))


def ydata_range(ax) -> tuple[float, float]:
    """Smallest and largest finite y value over the axes' lines."""
    ys = np.concatenate([np.asarray(line.get_ydata(), dtype=float).ravel()
                         for line in ax.lines] or [np.array([np.nan])])
    ys = ys[np.isfinite(ys)]
    return float(ys.min()), float(ys.max())


def labelled_lines(ax) -> list[str]:
    """Labels of the lines that carry one (not matplotlib's '_child' defaults)."""
    return [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
