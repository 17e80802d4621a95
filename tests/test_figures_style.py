"""textbook_rnn.figures.style, and what every figure of the book owes the reader.

For every drawing function (the ``CASES`` of each tests/test_figures_<slug>.py):

- it draws in the book's style, off pyplot, whatever the global rcParams,
  and the same call gives the same PNG bytes;
- every text it draws (tick labels, legends, titles, annotations) is at
  least :data:`figure_checks.MIN_TEXT_PX` CSS pixels tall when the page
  shows the figure at the text column's width;
- no two texts overlap, and none sticks out of the figure.
"""

from __future__ import annotations

import importlib

import pytest

matplotlib = pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import figure_checks as fc  # noqa: E402
from textbook_rnn import widgets  # noqa: E402
from textbook_rnn.figures import style  # noqa: E402

SLUGS = ["recurrence", "bptt", "long_term", "reservoirs", "gated", "optimisation"]


def _cases():
    cases = []
    for slug in SLUGS:
        module = importlib.import_module(f"test_figures_{slug}")
        for name, draw in module.CASES.items():
            cases.append(pytest.param(draw, name in module.FRAMES, id=f"{slug}.{name}"))
    return cases


CASES = _cases()


def test_every_drawing_function_has_a_case():
    drawn = {c.id.split(".")[0] for c in CASES}
    assert drawn == set(SLUGS)
    for slug in SLUGS:
        figures = importlib.import_module(f"textbook_rnn.figures.{slug}")
        tests = importlib.import_module(f"test_figures_{slug}")
        public = {n for n in figures.__all__ if n.startswith(("plot_", "draw_"))}
        covered = set()
        for draw in tests.CASES.values():
            names = {draw.__name__} | set(draw.__code__.co_names)
            covered |= names & public
        assert covered == public, f"{slug}: no case draws {sorted(public - covered)}"


# --- the style ----------------------------------------------------------------------------------


def test_palette_is_okabe_ito_and_roles_use_it():
    assert len(set(style.PALETTE.values())) == 8
    assert set(style.ROLE_COLOURS.values()) <= set(style.PALETTE.values())
    assert style.COLOURS[0] == style.PALETTE["blue"]
    assert style.PALETTE["yellow"] not in style.COLOURS  # too faint for lines on white


def test_use_book_style_sets_rcparams():
    with matplotlib.rc_context():
        style.use_book_style()
        assert matplotlib.rcParams["font.size"] == style.STYLE["font.size"]
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.lower() for c in colours] == [c.lower() for c in style.COLOURS]


def test_static_figures_and_widget_frames_share_one_resolution():
    assert widgets.FRAME_DPI == style.STYLE["savefig.dpi"] == style.STYLE["figure.dpi"]


def test_check_series():
    out = style.check_series("s", {"a": [1, 2], 3: (4.0, 5.0)}, length=2)
    assert list(out) == ["a", "3"] and out["3"].dtype == float
    with pytest.raises(TypeError, match="s must be a non-empty mapping"):
        style.check_series("s", {})
    with pytest.raises(ValueError, match=r"s\['a'\] must have 3 values"):
        style.check_series("s", {"a": [1, 2]}, length=3)


# --- every figure -------------------------------------------------------------------------------


@pytest.mark.parametrize("draw, frame", CASES)
def test_figure_is_off_pyplot_in_style_and_reproducible(draw, frame):
    before = plt.get_fignums()
    fig = draw()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before, "figures must not be registered with pyplot"
    assert fig.dpi == style.STYLE["figure.dpi"]
    first = widgets.figure_to_png(fig, dpi=40)
    # What a figure fixes when it is made does not follow the reader's settings. (Tick
    # labels, made when the figure is rendered, follow the font size in force then; the
    # chapters render in the book's style, use_book_style.)
    with matplotlib.rc_context({"lines.linewidth": 9, "axes.grid": False,
                                "axes.prop_cycle": matplotlib.cycler(color=["#ff00ff"])}):
        again = widgets.figure_to_png(draw(), dpi=40)
    assert first == again


@pytest.mark.parametrize("draw, frame", CASES)
def test_every_text_is_legible_at_the_column_width(draw, frame):
    fig = draw()
    px, text = fc.smallest_text(fig, frame=frame)
    assert px >= fc.MIN_TEXT_PX, (
        f"{text!r} is {px:.1f} px on screen (figure {fig.get_figwidth():.1f} in wide, "
        f"shown {fc.COLUMN_PX} px wide); at least {fc.MIN_TEXT_PX} px wanted")


@pytest.mark.parametrize("draw, frame", CASES)
def test_no_two_texts_overlap_and_none_is_cut_off(draw, frame):
    fig = draw()
    assert fc.overlapping_texts(fig) == []
    assert fc.texts_outside(fig) == []


def test_the_legibility_check_can_fail():
    # A figure twice the width of the others with 8-point ticks is too small to read.
    fig = style.new_figure((16.0, 3.0), dpi=144)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=8)
    px, _ = fc.smallest_text(fig)
    assert px < fc.MIN_TEXT_PX
    # and two texts at one place overlap
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")
    assert ("one", "two") in fc.overlapping_texts(fig)
