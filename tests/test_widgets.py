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
