"""textbook_rnn.data: the stored results load, and say how they were made."""

from __future__ import annotations

import pytest

from textbook_rnn import data


def test_every_stored_result_loads_and_names_its_command():
    names = data.available()
    assert {"teacher_forcing", "char_lm_long"} <= set(names)
    for name in names:
        result = data.load(name)
        assert result["command"].startswith("python tools/")


def test_teacher_forcing_runs_cover_three_seeds_per_method_and_signal():
    runs = data.load("teacher_forcing")["runs"]
    cells = {(r["signal"], r["method"]) for r in runs}
    assert len(cells) == 4
    for cell in cells:
        assert len({r["seed"] for r in runs if (r["signal"], r["method"]) == cell}) >= 3


def test_char_lm_long_curve_is_consistent():
    long = data.load("char_lm_long")
    assert len(long["chars"]) == len(long["held_out_bits"]) == len(long["train_bits"])
    assert long["chars"] == sorted(long["chars"])
    assert long["held_out_bits"][-1] < long["unigram_bits"]


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="teacher_forcing"):
        data.load("nothing")
    with pytest.raises(TypeError):
        data.load(3)
