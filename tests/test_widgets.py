"""Frame sliders: alt text for every frame, and a static frame for pages without JavaScript."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("IPython")

from textbook_rnn import widgets  # noqa: E402

# Stand-ins for PNG images: the widget only carries the bytes.
FRAMES = [b"\x89PNG frame zero", b"\x89PNG frame one", b"\x89PNG frame two"]
LABELS = ["0.50", "0.90", "1.20"]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


def _images(html: str) -> list[dict]:
    return [attrs for tag, attrs in _parse(html).tags if tag == "img"]


def _png(src: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix):])


def _stack_frames(box):
    """The slider, and the one <img> of each frame in the stack."""
    slider, stack = box.children
    frames = []
    for frame in stack.children:
        imgs = _images(frame.value)
        assert len(imgs) == 1, frame.value[:200]
        frames.append(imgs[0])
    return slider, frames


# --- frame_alts ------------------------------------------------------------------------


def test_alt_template_puts_each_label_in_its_place():
    alts = widgets.frame_alts(LABELS, "Portrait at ρ = {label}, six trajectories")
    assert alts == [f"Portrait at ρ = {lab}, six trajectories" for lab in LABELS]


def test_alt_without_placeholder_names_the_value():
    alts = widgets.frame_alts(LABELS, "Six trajectories.", description="stretch ρ")
    assert len(set(alts)) == len(LABELS), "each frame's alt must differ"
    for alt, lab in zip(alts, LABELS, strict=True):
        assert alt.startswith("Six trajectories") and f"stretch ρ = {lab}" in alt


def test_alt_sequence_is_used_as_given():
    given = ["first picture", "second picture", "third picture"]
    assert widgets.frame_alts(LABELS, given) == given


def test_alt_default_still_says_which_frame():
    alts = widgets.frame_alts(LABELS, None, description="scale of W")
    for i, (alt, lab) in enumerate(zip(alts, LABELS, strict=True)):
        assert f"{i + 1} of {len(LABELS)}" in alt and f"scale of W = {lab}" in alt


@pytest.mark.parametrize("alt, error, words", [
    ("", ValueError, "empty"),
    ("   ", ValueError, "empty"),
    (["one", "two"], ValueError, "one entry per frame (3), got 2"),
    (["one", 2, "three"], TypeError, "alt[1] must be a str, got int"),
    (["one", "", "three"], ValueError, "alt[1]"),
])
def test_bad_alt_is_rejected_with_a_clear_message(alt, error, words):
    with pytest.raises(error, match=re.escape(words)):
        widgets.frame_alts(LABELS, alt)
    with pytest.raises(error, match=re.escape(words)):
        widgets.frame_slider(FRAMES, LABELS, alt=alt)


# --- frame_slider ----------------------------------------------------------------------


def test_each_frame_carries_its_alt_and_the_slider_shows_values():
    box = widgets.frame_slider(FRAMES, LABELS, description="ρ", start=1,
                               alt="Frame at ρ = {label}")
    slider, images = _stack_frames(box)
    assert [img["alt"] for img in images] == [f"Frame at ρ = {lab}" for lab in LABELS]
    assert [_png(img["src"]) for img in images] == FRAMES
    assert list(slider.options) == LABELS and slider.value == "0.90"
    assert slider.description == "ρ"
    assert widgets.CSS_CLASS in box._dom_classes


def _displayed(box, monkeypatch) -> list[tuple[object, dict]]:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a[0], k)))
    box._ipython_display_()
    return shown


@pytest.mark.parametrize("start", [0, 2])
def test_displayed_with_a_noscript_copy_of_the_first_frame(start, monkeypatch):
    box = widgets.frame_slider(FRAMES, LABELS, description="stretch ρ", start=start,
                               alt="Portrait at ρ = {label}")
    shown = _displayed(box, monkeypatch)
    assert len(shown) == 2, "a fallback, then the widget"
    fallback, view = shown
    html = fallback[0].data
    assert html.startswith("<noscript>") and html.endswith("</noscript>")
    parser = _parse(html)
    imgs = _images(html)
    assert len(imgs) == 1
    assert imgs[0]["alt"] == f"Portrait at ρ = {LABELS[start]}"
    assert _png(imgs[0]["src"]) == FRAMES[start]
    assert f"stretch ρ = {LABELS[start]}" in "".join(parser.text)
    bundle, kwargs = view
    assert kwargs == {"raw": True}
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id


def test_alt_text_is_escaped(monkeypatch):
    box = widgets.frame_slider(FRAMES[:1], LABELS[:1], alt='a "quoted" <b> & more')
    escaped = 'alt="a &quot;quoted&quot; &lt;b&gt; &amp; more (value = 0.50)."'
    assert escaped in box.children[1].children[0].value
    (fallback, _), _ = _displayed(box, monkeypatch)
    assert escaped in fallback.data
    assert "its 1 frame." in fallback.data


def test_frame_width_reaches_the_image(monkeypatch):
    box = widgets.frame_slider(FRAMES, LABELS, width="60%", alt="frame {label}")
    _, images = _stack_frames(box)
    assert all(img["style"].startswith("width: 60%;") for img in images)
    (fallback, _), _ = _displayed(box, monkeypatch)
    assert _images(fallback.data)[0]["style"].startswith("width: 60%;")


def test_a_closed_slider_displays_as_text(monkeypatch):
    box = widgets.frame_slider(FRAMES, LABELS, alt="frame {label}")
    box.close()
    shown = _displayed(box, monkeypatch)
    assert len(shown) == 1 and set(shown[0][0]) == {"text/plain"}


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(frames=[], labels=[]), ValueError, "at least one"),
    (dict(frames=FRAMES, labels=LABELS[:2]), ValueError, "one entry per frame (3), got 2"),
    (dict(frames=FRAMES, labels=["a", "a", "b"]), ValueError, "unique"),
    (dict(frames=FRAMES, labels=LABELS, start=3), ValueError, "start must be in 0..2, got 3"),
])
def test_bad_frames_are_rejected(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        widgets.frame_slider(**kwargs)


# --- play buttons -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def links(monkeypatch):
    """Every jslink the widgets make, as ((widget, trait), (widget, trait)) pairs."""
    import ipywidgets

    made = []
    real = ipywidgets.jslink

    def spy(source, target):
        made.append((source, target))
        return real(source, target)

    monkeypatch.setattr(ipywidgets, "jslink", spy)
    return made


def _linked(link_pairs, a, a_name, b, b_name) -> bool:
    return any({(id(s[0]), s[1]), (id(t[0]), t[1])} == {(id(a), a_name), (id(b), b_name)}
               for s, t in link_pairs)


def test_play_button_is_linked_to_the_slider(links):
    import ipywidgets

    box = widgets.frame_slider(FRAMES, LABELS, description="ρ", start=1, alt="frame {label}",
                               play=True)
    row, stack = box.children
    play, slider = row.children
    assert isinstance(play, ipywidgets.Play) and isinstance(slider, ipywidgets.SelectionSlider)
    assert (play.min, play.max, play.value) == (0, len(FRAMES) - 1, 1)
    assert _linked(links, play, "value", slider, "index")
    assert _linked(links, slider, "index", stack, "selected_index")


def test_no_play_button_unless_asked():
    import ipywidgets

    box = widgets.frame_slider(FRAMES, LABELS, alt="frame {label}")
    assert not any(isinstance(w, (ipywidgets.Play, ipywidgets.HBox)) for w in box.children)


# --- frame grids --------------------------------------------------------------------------

ROWS = ["0.80", "0.95"]
COLS = ["0°", "30°", "60°"]
GRID = [f"\x89PNG {r} {c}".encode() for r in ROWS for c in COLS]


def _visible(stack):
    """The frame a stack of stacks shows, following each selected_index down."""
    while hasattr(stack, "selected_index") and stack.children:
        stack = stack.children[stack.selected_index]
    return _images(stack.value)[0]


def test_grid_frames_sit_in_row_major_order_with_their_alts():
    box = widgets.frame_grid(GRID, [ROWS, COLS], descriptions=["modulus r", "angle θ"],
                             start=[1, 2], alt="Decay at r = {0}, θ = {1}")
    first, second, outer = box.children
    assert [first.description, second.description] == ["modulus r", "angle θ"]
    assert (first.value, second.value) == ("0.95", "60°")
    for i, r in enumerate(ROWS):
        for j, c in enumerate(COLS):
            img = _images(outer.children[i].children[j].value)[0]
            assert _png(img["src"]) == f"\x89PNG {r} {c}".encode()
            assert img["alt"] == f"Decay at r = {r}, θ = {c}"
    assert _png(_visible(outer)["src"]) == GRID[1 * len(COLS) + 2]
    assert widgets.CSS_CLASS in box._dom_classes


def test_each_grid_slider_links_to_every_stack_at_its_depth(links):
    box = widgets.frame_grid(GRID, [ROWS, COLS], alt="r = {0}, θ = {1}")
    first, second, outer = box.children
    assert _linked(links, first, "index", outer, "selected_index")
    for inner in outer.children:
        assert _linked(links, second, "index", inner, "selected_index")
    # what the browser does with those links: each slider moves one level alone
    outer.selected_index = 0
    for inner in outer.children:
        inner.selected_index = 1
    assert _png(_visible(outer)["src"]) == f"\x89PNG {ROWS[0]} {COLS[1]}".encode()
    outer.selected_index = 1
    assert _png(_visible(outer)["src"]) == f"\x89PNG {ROWS[1]} {COLS[1]}".encode()


def test_three_parameter_grid_nests_three_deep(links):
    third = ["a", "b"]
    frames = [f"{i}".encode() for i in range(len(ROWS) * len(COLS) * len(third))]
    box = widgets.frame_grid(frames, [ROWS, COLS, third], start=[1, 1, 1], alt="{0} {1} {2}")
    *sliders, outer = box.children
    assert len(sliders) == 3
    assert _visible(outer)["alt"] == f"{ROWS[1]} {COLS[1]} b"
    assert _png(_visible(outer)["src"]) == frames[(1 * len(COLS) + 1) * 2 + 1]
    for inner in outer.children:
        for innermost in inner.children:
            assert _linked(links, sliders[2], "index", innermost, "selected_index")


def test_grid_play_drives_the_first_slider(monkeypatch, links):
    import ipywidgets

    box = widgets.frame_grid(GRID, [ROWS, COLS], descriptions=["r", "θ"], alt="{0} {1}",
                             play=True)
    row, second, outer = box.children
    play, first = row.children
    assert isinstance(play, ipywidgets.Play) and play.max == len(ROWS) - 1
    assert _linked(links, play, "value", first, "index")
    (fallback, _), _ = _displayed(box, monkeypatch)
    assert _images(fallback.data)[0]["alt"] == f"{ROWS[0]} {COLS[0]}"
    assert "r = 0.80, θ = 0°" in fallback.data and "6 frames" in fallback.data


def test_grid_play_can_drive_another_slider(links):
    import ipywidgets

    box = widgets.frame_grid(GRID, [ROWS, COLS], descriptions=["r", "θ"], alt="{0} {1}",
                             play=1)
    first, row, outer = box.children
    play, second = row.children
    assert isinstance(first, ipywidgets.SelectionSlider) and first.description == "r"
    assert isinstance(play, ipywidgets.Play) and play.max == len(COLS) - 1
    assert _linked(links, play, "value", second, "index")
    assert not _linked(links, play, "value", first, "index")


@pytest.mark.parametrize("play, error", [(2, ValueError), (-1, ValueError), ("1", TypeError),
                                         (1.0, TypeError)])
def test_grid_play_rejects_a_bad_axis(play, error):
    with pytest.raises(error, match="play"):
        widgets.frame_grid(GRID, [ROWS, COLS], play=play)


def test_grid_alt_without_placeholders_names_both_values():
    alts = widgets.grid_alts([ROWS, COLS], "Decay of each component.", ["r", "θ"])
    assert len(set(alts)) == len(GRID)
    assert alts[1] == "Decay of each component (r = 0.80, θ = 30°)."


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(frames=GRID, labels=[ROWS]), ValueError, "at least two"),
    (dict(frames=GRID[:5], labels=[ROWS, COLS]), ValueError, "2 × 3 = 6), got 5"),
    (dict(frames=GRID, labels=[ROWS, ["a", "a", "b"]]), ValueError, "labels[1] must be unique"),
    (dict(frames=GRID, labels=[ROWS, COLS], start=[0, 3]), ValueError, "start[1] must be in 0..2"),
    (dict(frames=GRID, labels=[ROWS, COLS], start=[0]), ValueError, "one index per parameter"),
    (dict(frames=GRID, labels=[ROWS, COLS], descriptions=["r"]), ValueError,
     "one entry per parameter (2), got 1"),
    (dict(frames=GRID, labels=[ROWS, COLS], alt=["x"] * 5), ValueError,
     "one entry per frame (6), got 5"),
])
def test_bad_grids_are_rejected(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        widgets.frame_grid(**kwargs)


# --- explorer: frames for the site, live controls for a kernel ----------------------------


def test_render_grid_calls_draw_in_row_major_order(monkeypatch):
    seen = []
    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: repr(fig).encode())
    frames = widgets.render_grid(lambda a, b: seen.append((a, b)) or (a, b), [1, 2], "xyz")
    assert seen == [(a, b) for a in (1, 2) for b in "xyz"]
    assert frames[4] == repr((2, "y")).encode()


def test_explorer_gives_a_grid_and_live_controls_from_one_draw(monkeypatch):
    import ipywidgets

    calls = []

    def draw(r, theta):
        calls.append((r, theta))
        return (r, theta)

    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: repr(fig).encode())
    ex = widgets.explorer(draw, {"r": [0.5, 0.9], "theta": [0.0, 0.5, 1.0]},
                          descriptions=["modulus r", "angle θ"], start=[1, 0],
                          alt="r = {0}, θ = {1}", matrix_draw=lambda W: W)
    assert calls[:6] == [(r, t) for r in (0.5, 0.9) for t in (0.0, 0.5, 1.0)]
    assert widgets.CSS_CLASS in ex.grid._dom_classes
    assert widgets.LIVE_CLASS in ex.live._dom_classes
    title, live = ex.live.children
    assert "kernel" in title.value.lower()
    controls = {w.description: w for w in live.children if hasattr(w, "description")}
    r, theta = controls["modulus r"], controls["angle θ"]
    assert isinstance(r, ipywidgets.FloatSlider) and (r.min, r.max, r.value) == (0.5, 0.9, 0.9)
    assert (theta.min, theta.max) == (0.0, 1.0)
    assert isinstance(controls["your own W"], ipywidgets.Text)
    assert live.out.outputs == (), "nothing drawn into the page before the reader asks"
    # with a kernel, moving a slider calls the same draw at the new value
    calls.clear()
    r.value = 0.7
    assert calls and calls[-1] == (pytest.approx(0.7), 0.0)


def test_explorer_gives_a_parameter_that_is_not_a_number_a_drop_down(monkeypatch):
    import ipywidgets

    calls = []

    def draw(gain, kind):
        calls.append((gain, kind))
        return (gain, kind)

    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: repr(fig).encode())
    ex = widgets.explorer(draw, {"gain": [0.9, 1.0], "kind": ["gaussian", "identity"]},
                          labels=[["0.9", "1.0"], ["Gaussian", "identity"]],
                          descriptions=["gain g", "initialisation"], start=[0, 1],
                          alt="g = {0}, {1}")
    grid_sliders = [w for w in ex.grid.children if isinstance(w, ipywidgets.SelectionSlider)]
    assert list(grid_sliders[1].options) == ["Gaussian", "identity"]
    _, live = ex.live.children
    controls = {w.description: w for w in live.children if hasattr(w, "description")}
    kind = controls["initialisation"]
    assert isinstance(kind, ipywidgets.Dropdown) and kind.value == "identity"
    assert [label for label, _ in kind.options] == ["Gaussian", "identity"]
    assert isinstance(controls["gain g"], ipywidgets.FloatSlider)
    calls.clear()
    kind.value = "gaussian"
    assert calls and calls[-1] == (0.9, "gaussian")
    # without labels, a value that is not a number is shown as it is
    ex = widgets.explorer(draw, {"gain": [1.0], "kind": ["gaussian", "identity"]})
    sliders = [w for w in ex.grid.children if isinstance(w, ipywidgets.SelectionSlider)]
    assert list(sliders[1].options) == ["gaussian", "identity"]


def test_explorer_with_one_parameter_is_a_frame_slider(monkeypatch):
    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: b"png")
    ex = widgets.explorer(lambda t: t, {"t": [0, 1, 2]}, alt="t = {label}", play=True)
    assert widgets.CSS_CLASS in ex.grid._dom_classes
    assert len(ex.live.children[1].children) >= 2  # a slider and the output
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a[0]))
    ex._ipython_display_()
    assert shown == [ex.grid, ex.live]


def test_explorer_puts_a_log_parameter_on_a_log_slider_and_keeps_infinity_off_it(monkeypatch):
    import math

    import ipywidgets

    calls = []

    def draw(v):
        calls.append(v)
        return v

    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: repr(fig).encode())
    track = [math.inf, 100.0, 10.0, 1.0, 0.1, 0.01]
    ex = widgets.explorer(draw, {"v": track}, labels=[["none", "100", "10", "1", "0.1", "0.01"]],
                          descriptions=["threshold v"], start=[0], log=["v"])
    assert calls[:6] == track, "every value, the infinite one too, is drawn as a frame"
    _, live = ex.live.children
    (v,) = [w for w in live.children if getattr(w, "description", "") == "threshold v"]
    assert isinstance(v, ipywidgets.FloatLogSlider)
    assert (v.base, v.min, v.max) == (10, pytest.approx(-2.0), pytest.approx(2.0))
    assert v.value == pytest.approx(100.0), "an infinite start begins at the nearest finite end"
    calls.clear()
    v.value = 0.5
    assert calls and calls[-1] == pytest.approx(0.5)
    # a parameter not on the log list keeps a linear slider
    ex = widgets.explorer(lambda a, b: (a, b), {"a": [1.0, 2.0], "b": [0.1, 1.0]}, log="b")
    controls = {w.description: w for w in ex.live.children[1].children
                if hasattr(w, "description")}
    assert type(controls["a"]) is ipywidgets.FloatSlider
    assert isinstance(controls["b"], ipywidgets.FloatLogSlider)


@pytest.mark.parametrize("axes, log, match", [
    ({"v": [1.0, 0.0]}, ["v"], "positive"),
    ({"v": [1.0, -2.0]}, ["v"], "positive"),
    ({"v": [1.0, 2.0]}, ["w"], "not one of the parameters"),
    ({"v": ["a", "b"]}, ["v"], "positive"),
    ({"v": [float("inf")]}, [], "finite"),
])
def test_explorer_rejects_a_bad_log_list_with_a_clear_error(monkeypatch, axes, log, match):
    monkeypatch.setattr(widgets, "figure_to_png", lambda fig, dpi, colours=None: b"png")
    with pytest.raises(ValueError, match=match):
        widgets.explorer(lambda v: v, axes, log=log)


@pytest.mark.parametrize("text, expected", [
    ("0.9 -0.3; 0.3 0.9", [[0.9, -0.3], [0.3, 0.9]]),
    ("1, 2\n3, 4", [[1, 2], [3, 4]]),
    ("0.5", [[0.5]]),
])
def test_parse_matrix_reads_rows(text, expected):
    import numpy as np

    np.testing.assert_array_equal(widgets.parse_matrix(text), np.array(expected, dtype=float))


@pytest.mark.parametrize("text, error, words", [
    ("", ValueError, "empty"),
    ("1 2; 3", ValueError, "square"),
    ("1 2 3; 4 5 6", ValueError, "square"),
    ("1 x; 2 3", ValueError, "number"),
    ("1 nan; 2 3", ValueError, "finite"),
    (3, TypeError, "must be a str, got int"),
])
def test_parse_matrix_rejects_bad_text(text, error, words):
    with pytest.raises(error, match=words):
        widgets.parse_matrix(text)


def test_palette_frames_are_smaller_and_keep_the_picture():
    import io

    import numpy as np

    plt = pytest.importorskip("matplotlib.pyplot")
    Image = pytest.importorskip("PIL.Image")

    def draw():
        fig, ax = plt.subplots(figsize=(4, 3))
        t = np.linspace(0, 10, 200)
        for k in range(4):
            ax.plot(t, np.sin(t + k), lw=1.5)
        ax.set_title("four waves")
        return fig

    full = widgets.figure_to_png(draw(), dpi=100)
    small = widgets.figure_to_png(draw(), dpi=100, colours=64)
    assert len(small) < len(full) / 1.5
    a = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=float)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 2.0, "the palette must not change the picture visibly"
    assert widgets.figure_to_png(draw(), dpi=100, colours=64) == small, "deterministic"
    with pytest.raises(ValueError, match="colours must be an int in 2..256"):
        widgets.figure_to_png(draw(), colours=1)


def test_a_progress_bar_leaves_the_frames_alone(capsys):
    """With a label, drawing shows a bar (no timings) and gives the same bytes."""
    plt = pytest.importorskip("matplotlib.pyplot")  # noqa: F841

    def draw(v):
        from matplotlib.figure import Figure
        fig = Figure(figsize=(1, 1))
        fig.subplots().plot([0, v])
        return fig

    plain = widgets.render_frames(draw, [1, 2])
    shown = widgets.render_frames(draw, [1, 2], progress="drawing 2 frames")
    assert shown == plain
    err = capsys.readouterr().err
    assert "drawing 2 frames" in err and "2/2 frames" in err and "it/s" not in err
    grid = widgets.render_grid(lambda a, b: draw(a + b), [1, 2], [3], progress="grid")
    assert grid == widgets.render_grid(lambda a, b: draw(a + b), [1, 2], [3])
