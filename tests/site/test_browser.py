"""The built site in a real browser: Debian's headless chromium, driven by playwright.

The site is served from 127.0.0.1 by a small HTTP server; every request to any
other host is recorded and aborted, so a page that needs the network shows up
as a failure, not as a slow test. For each page in the table of contents:
it loads, MathJax typesets all of its math, every image loads, the console is
free of errors, and a full-page screenshot lands in ``_build/screenshots``.
Each frame slider (``textbook_rnn.widgets.frame_slider``, and each frame grid,
``frame_grid``) must render; moving each of its sliders on its own must change
the picture to the frame its alt text names for the new values, and its play
button must step through the frames, with no kernel and no network. Live
controls that need a kernel are not shown.

Readers on a phone, with a screen reader, in dark mode or without JavaScript:
every image has alt text that says something (not a file name); every slider
handle has an accessible name and announces the value it selects, not its
position; at 400 px no display equation is cut off without a way to scroll
to the rest and a visible cue that there is more, checker reports wrap, and every
slider keeps a track wide enough to drag;
figures sit on white, undimmed, in light and in dark mode; with JavaScript
off each frame slider still shows its first frame.

Without chromium or playwright the tests skip, unless TEXTBOOK_REQUIRE_BROWSER=1
(set by CI) turns the skip into a failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = os.environ.get("TEXTBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDGET_CLASS = "trnn-frame-slider"
PLAY_INTERVAL_MS = 800  # textbook_rnn.widgets.PLAY_INTERVAL_MS: how long a Play shows each frame
PAGE_TIMEOUT_MS = 60_000
MIN_TRACK_PX = 64  # the narrowest slider track one can still drag on a phone

# Console errors that do not mean the page is broken: (regex on the message,
# regex on the URL it is about, why it is harmless). Anything else fails.
BENIGN_CONSOLE_ERRORS: list[tuple[str, str, str]] = [
    (r"^Failed to load resource: .* 404", r"^http://127\.0\.0\.1:\d+/favicon\.ico$",
     "Chromium asks the server root for /favicon.ico by itself when a page names no "
     "icon (the book sets none); the page does not request it and nothing leaves "
     "127.0.0.1."),
]


def _unavailable(reason: str):
    if os.environ.get("TEXTBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (TEXTBOOK_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(reason)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def server(site_dir):
    """Serve the built site on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements.txt)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True)
        except Exception as err:  # noqa: BLE001 - any launch failure means "no browser"
            _unavailable(f"chromium at {CHROMIUM} did not start: {err}")
        yield chromium
        chromium.close()


class PageVisit:
    """One page opened in a fresh browser context, with everything it did recorded."""

    def __init__(self, browser, base_url: str, *, width: int = 1280, theme: str | None = None,
                 javascript: bool = True):
        self.base = urlsplit(base_url)
        self.foreign: list[str] = []  # requests to other hosts (aborted)
        self.failed: list[str] = []  # local requests that failed or returned >= 400
        self.console_errors: list[str] = []
        options = {}
        if theme is not None:
            options["color_scheme"] = theme
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           service_workers="block",
                                           java_script_enabled=javascript, **options)
        if theme is not None:
            # pydata-sphinx-theme keeps the reader's choice in localStorage.
            self.context.add_init_script(
                f"try {{ localStorage.setItem('mode', '{theme}');"
                f" localStorage.setItem('theme', '{theme}'); }} catch (e) {{}}")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", lambda r: self._on_failed(r, r.failure))
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.console_errors.append(f"uncaught: {err}"))

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        return parts.scheme in {"http", "https"} and parts.netloc == self.base.netloc

    def _route(self, route):
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _on_request(self, request):
        if not self._local(request.url):
            self.foreign.append(request.url)

    def _on_failed(self, request, failure):
        if self._local(request.url):
            self.failed.append(f"{request.url}: {failure}")

    def _on_response(self, response):
        if self._local(response.url) and response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def _on_console(self, msg):
        if msg.type != "error":
            return
        text, url = msg.text, (msg.location or {}).get("url", "")
        if not any(re.search(t, text) and re.search(u, url)
                   for t, u, _ in BENIGN_CONSOLE_ERRORS):
            self.console_errors.append(f"{text} ({url})")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    visits = []

    def open_page(path: str, **options) -> PageVisit:
        v = PageVisit(browser, server, **options)
        visits.append(v)
        v.response = v.page.goto(server + path, wait_until="load")
        return v

    yield open_page
    for v in visits:
        v.close()


# JavaScript run in the page -----------------------------------------------------------

WAIT_FOR_MATHJAX = """async () => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise) return false;
  await mj.startup.promise;
  return true;
}"""

# Math that was not typeset: .math elements without an mjx-container, MathJax errors.
MATH_REPORT = """() => {
  const all = Array.from(document.querySelectorAll('.math'));
  const raw = all.filter(el => !el.querySelector('mjx-container'))
                 .map(el => el.textContent.trim().slice(0, 80));
  const errors = Array.from(document.querySelectorAll('mjx-merror')).map(
      el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 80));
  return {count: all.length, containers: document.querySelectorAll('mjx-container').length,
          raw: raw, errors: errors};
}"""

# Visible text outside code: TeX delimiters there mean math was left untypeset.
VISIBLE_PROSE = """() => {
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .MathJax';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility()) continue;
    out.push(node.textContent);
  }
  return out.join(' ');
}"""

BROKEN_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  return imgs.filter(img => !(img.complete && img.naturalWidth > 0))
             .map(img => (img.currentSrc || img.src || '(no src)').slice(0, 120));
}"""

VISIBLE_IMAGE_SRC = """(box) => {
  const img = Array.from(box.querySelectorAll('img')).find(
      i => i.checkVisibility() && i.naturalWidth > 0);
  return img ? img.src : null;
}"""

# The frame a frame slider shows: its alt text and its picture.
VISIBLE_FRAME = """(box) => {
  const img = Array.from(box.querySelectorAll('img')).find(
      i => i.checkVisibility() && i.naturalWidth > 0);
  return img ? img.alt + '|' + img.src : null;
}"""

# Every <img> needs alt text that describes it: not empty, not a file name or hash.
IMAGES_WITHOUT_ALT = """() => {
  const fileLike = /(^|[\\/])[^\\s\\/]+\\.(png|jpe?g|gif|svg|webp|avif)$/i;
  const hashLike = /^[0-9a-f]{16,}$/i;
  // live controls that need a kernel are hidden on the site (display: none): no reader,
  // sighted or not, meets what they would draw
  const imgs = Array.from(document.images).filter(img => !img.closest('.trnn-needs-kernel'));
  const bad = imgs.filter(img => {
    const alt = (img.getAttribute('alt') || '').trim();
    const file = (img.getAttribute('src') || '').split(/[?#]/)[0].split('/').pop();
    return !alt || fileLike.test(alt) || hashLike.test(alt)
        || (file.length > 4 && !file.startsWith('data:') && alt.includes(file));
  }).map(img => `${(img.currentSrc || img.src).slice(0, 90)}`
                 + ` (alt=${JSON.stringify(img.getAttribute('alt'))})`);
  return {count: imgs.length, bad: bad};
}"""

# What a screen reader learns from the i-th slider handle of a frame slider (a frame
# grid has one per parameter), what the page shows, and every slider's readout.
SLIDER_A11Y = """(box, i) => {
  const handle = box.querySelectorAll('[role="slider"]')[i];
  const slider = handle ? (handle.closest('.widget-slider, .widget-hslider') || box) : box;
  const text = el => el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';
  const img = Array.from(box.querySelectorAll('img')).find(i => i.checkVisibility());
  return {handle: !!handle,
          name: handle ? (handle.getAttribute('aria-label') || '').trim() : '',
          valuetext: handle ? handle.getAttribute('aria-valuetext') : null,
          label: text(slider.querySelector('.widget-label')),
          readout: text(slider.querySelector('.widget-readout')),
          readouts: Array.from(box.querySelectorAll('.widget-readout')).map(text),
          alt: img ? (img.getAttribute('alt') || '').trim() : null};
}"""

# The play buttons of a frame slider: their names and whether one is playing.
PLAY_BUTTONS = """(box) => Array.from(box.querySelectorAll('.widget-play button'))
  .filter(b => b.checkVisibility())
  .map(b => ({name: (b.getAttribute('aria-label') || '').trim(),
              icon: (b.querySelector('i') || {className: ''}).className}))"""

# At a phone's width: display equations, checker reports, code and the page itself.
NARROW_REPORT = """async () => {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
  const out = {equations: 0, wide: 0, reports: 0, code_wide: 0, problems: [],
               page: document.documentElement.scrollWidth, viewport: window.innerWidth};
  const where = el => {
    const owner = el.closest('[id]');
    return (owner ? '#' + owner.id + ' ' : '') + JSON.stringify(el.textContent.trim().slice(0, 40));
  };
  const cue = cs => (cs.backgroundImage.match(/gradient/g) || []).length >= 2
      && /local/.test(cs.backgroundAttachment);
  for (const eq of document.querySelectorAll('mjx-container[display="true"]')) {
    out.equations++;
    const box = eq.closest('div.math') || eq.parentElement;
    const r = eq.getBoundingClientRect(), b = box.getBoundingClientRect();
    const cs = getComputedStyle(eq);
    if (r.left < b.left - 1 || r.right > b.right + 1) {
      out.problems.push(`equation ${where(eq)} is ${Math.round(r.width)} px wide in a `
                        + `${Math.round(b.width)} px box: cut off`);
      continue;
    }
    const eqno = box.querySelector(':scope > .eqno');
    if (eqno && eqno.checkVisibility()) {
      const n = eqno.getBoundingClientRect();
      if (r.right > n.left + 1 && r.left < n.right - 1)
        out.problems.push(`equation ${where(eq)} runs under its number`);
    }
    if (eq.scrollWidth > eq.clientWidth + 1) {
      out.wide++;
      if (!/(auto|scroll)/.test(cs.overflowX)) {
        out.problems.push(`equation ${where(eq)} is cut off and does not scroll`);
      } else if (!cue(cs)) {
        out.problems.push(`equation ${where(eq)} scrolls with no visible cue that it does`);
      } else {
        eq.scrollLeft = eq.scrollWidth;
        if (eq.scrollLeft <= 0) out.problems.push(`equation ${where(eq)} cannot be scrolled`);
        eq.scrollLeft = 0;
      }
    }
  }
  for (const pre of document.querySelectorAll('.cell_output .output.text_plain pre')) {
    out.reports++;
    if (pre.scrollWidth > pre.clientWidth + 1)
      out.problems.push(`checker report ${where(pre)} runs past the column`);
  }
  for (const pre of document.querySelectorAll('.cell_input pre, .cell_output .output.stream pre')) {
    if (pre.scrollWidth <= pre.clientWidth + 1) continue;
    out.code_wide++;
    const cs = getComputedStyle(pre);
    if (!/(auto|scroll)/.test(cs.overflowX) || !cue(cs))
      out.problems.push(`code or printed output ${where(pre)} is wider than the column `
                        + 'and shows no cue that it scrolls');
  }
  if (out.page > out.viewport + 1)
    out.problems.push(`the page is ${out.page} px wide at a ${out.viewport} px viewport`);
  return out;
}"""

# Each figure image: what lies behind it, its filter, and its own corner pixel.
FIGURE_BACKDROPS = """async () => {
  const sel = '.bd-content .cell_output img, .bd-content figure img, .trnn-frame-slider img';
  const imgs = Array.from(document.querySelectorAll(sel)).filter(i => i.checkVisibility());
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const backdrop = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  return imgs.map(img => {
    canvas.width = Math.max(img.naturalWidth, 1);
    canvas.height = Math.max(img.naturalHeight, 1);
    ctx.drawImage(img, 0, 0);
    return {src: (img.currentSrc || img.src).slice(0, 90), backdrop: backdrop(img),
            filter: getComputedStyle(img).filter,
            corner: Array.from(ctx.getImageData(1, 1, 1, 1).data)};
  });
}"""


def _expected_frame_sliders(html: str) -> int:
    """How many frame sliders the page displays, from its embedded widget state."""
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                      html, re.S)
    if not state:
        return 0
    models = json.loads(state.group(1))["state"]
    shown = re.findall(r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>',
                       html, re.S)
    count = 0
    for view in shown:
        model = models.get(json.loads(view)["model_id"], {})
        if WIDGET_CLASS in model.get("state", {}).get("_dom_classes", []):
            count += 1
    return count


def _screenshot_path(screenshot_dir: Path, page: str) -> Path:
    path = screenshot_dir / f"{page}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_page_in_browser(toc_page, pages, site_dir, visit, screenshot_dir):
    page = toc_page
    v = visit(f"{page}.html")
    assert v.response is not None and v.response.status == 200, f"{page}: {v.response}"
    p = v.page
    html = (site_dir / f"{page}.html").read_text(encoding="utf-8")

    # Math: everything typeset, no TeX errors, no raw delimiters left in prose.
    has_mathjax = p.evaluate(WAIT_FOR_MATHJAX)
    # A blocked request is the likeliest cause of any failure below: report it first.
    assert not v.foreign, f"{page} tried to reach other hosts: {sorted(set(v.foreign))}"
    math = p.evaluate(MATH_REPORT)
    if math["count"]:
        assert has_mathjax, f"{page} has {math['count']} math elements but MathJax did not load"
        assert not math["raw"], f"{page}: math left untypeset: {math['raw'][:5]}"
        assert math["containers"] >= math["count"]
    assert not math["errors"], f"{page}: MathJax errors: {math['errors'][:5]}"
    prose = p.evaluate(VISIBLE_PROSE)
    leftovers = [d for d in ("$$", "\\[", "\\(", "\\begin{") if d in prose]
    assert not leftovers, f"{page}: raw TeX delimiters {leftovers} in the visible text"

    # Widgets: each frame slider renders and flips frames when moved.
    live = p.locator(".trnn-needs-kernel")
    for i in range(live.count()):
        assert not live.nth(i).is_visible(), (
            f"{page}: live control {i + 1} needs a kernel but is shown on the static site")
    expected = _expected_frame_sliders(html)
    if expected:
        boxes = p.locator(f".{WIDGET_CLASS}")
        boxes.nth(expected - 1).wait_for(state="visible")
        assert boxes.count() == expected
        for i in range(expected):
            _check_frame_slider(p, boxes.nth(i), f"{page} slider {i + 1}")

    # Images (after the widgets, whose frames are images too).
    broken = p.evaluate(BROKEN_IMAGES)
    assert not broken, f"{page}: images did not load: {broken}"
    alts = p.evaluate(IMAGES_WITHOUT_ALT)
    assert not alts["bad"], (f"{page}: {len(alts['bad'])} of {alts['count']} images lack "
                             f"alt text that describes them: {alts['bad'][:5]}")

    p.screenshot(path=_screenshot_path(screenshot_dir, page), full_page=True)

    assert not v.foreign, f"{page} tried to reach other hosts: {sorted(set(v.foreign))}"
    assert not v.failed, f"{page}: local requests failed: {v.failed}"
    assert not v.console_errors, f"{page}: console errors: {v.console_errors}"


def _check_slider_a11y(p, box, name: str, index: int = 0) -> dict:
    """The handle is named after its slider and announces the value its readout shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        p.wait_for_function(
            "([box, i]) => { const h = box.querySelectorAll('[role=\"slider\"]')[i];"
            " const s = h && (h.closest('.widget-slider, .widget-hslider') || box);"
            " const r = s && s.querySelector('.widget-readout');"
            " return h && r && h.getAttribute('aria-label')"
            " && h.getAttribute('aria-valuetext') === r.textContent.trim(); }",
            arg=[box.element_handle(), index], timeout=10_000)
    except PlaywrightTimeout:
        pass  # the assertions below say what the page has instead
    a11y = box.evaluate(SLIDER_A11Y, index)
    assert a11y["handle"], f"{name}: no element with role=slider"
    assert a11y["name"], (
        f"{name}: the slider has no aria-label (is _static/frame-slider.js loaded?)")
    if a11y["label"]:
        assert a11y["name"] == a11y["label"], (
            f"{name}: aria-label {a11y['name']!r} differs from the visible {a11y['label']!r}")
    assert a11y["readout"], f"{name}: the slider shows no value"
    assert a11y["valuetext"] == a11y["readout"], (
        f"{name}: the slider announces {a11y['valuetext']!r}, but shows {a11y['readout']!r}")
    assert a11y["alt"], f"{name}: the visible frame has no alt text"
    return a11y


def _wait_for_new_frame(p, box, before: str, what: str, *, timeout: int = 10_000) -> str:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # The frame shown changes: its picture, or, where two parameter values draw the same
    # picture (sharpening weights that are already one-hot, say), its alt text, which
    # names the values it was drawn for.
    try:
        p.wait_for_function(
            "([box, before]) => { const img = Array.from(box.querySelectorAll('img'))"
            ".find(i => i.checkVisibility() && i.naturalWidth > 0);"
            " return img && (img.alt + '|' + img.src) !== before; }",
            arg=[box.element_handle(), before], timeout=timeout)
    except PlaywrightTimeout:
        pytest.fail(f"{what} did not change the frame shown (is it jslinked to the Stack?)")
    return box.evaluate(VISIBLE_FRAME)


def _shows_expected_frame(before: dict, after: dict, name: str) -> None:
    """The frame shown is the one for the values the sliders show.

    Every frame's alt text names its values (``frame_alts``, ``grid_alts``), so
    where the first frame's alt holds the readouts, the new frame's alt must
    hold the new readouts: the slider picked the frame precomputed for them.
    """
    if all(r in before["alt"] for r in before["readouts"]):
        missing = [r for r in after["readouts"] if r not in after["alt"]]
        assert not missing, (f"{name}: the sliders show {after['readouts']}, but the frame "
                             f"shown is {after['alt']!r}")


def _check_frame_slider(p, box, name: str):
    box.scroll_into_view_if_needed()
    handles = box.locator(".noUi-handle")
    handles.first.wait_for(state="visible")
    p.wait_for_function(VISIBLE_IMAGE_SRC, arg=box.element_handle())
    shown = box.evaluate(VISIBLE_FRAME)
    assert shown, f"{name}: no visible image"
    count = handles.count()
    for i in range(count):
        # each slider on its own: only its readout changes, and the picture with it
        what = f"{name}, slider {i + 1} of {count}" if count > 1 else name
        handle = handles.nth(i)
        before = _check_slider_a11y(p, box, what, i)
        low, high, now = (handle.get_attribute(f"aria-value{k}") for k in ("min", "max", "now"))
        if low == high:
            continue  # a single value: nothing to move to
        for key in (("ArrowLeft", "Home") if now == high else ("ArrowRight", "End")):
            end = {"Home": low, "End": high}.get(key)
            if end is not None and handle.get_attribute("aria-valuenow") == end:
                continue  # a short slider: the arrow key already reached its end
            handle.focus()
            handle.press(key)
            shown = _wait_for_new_frame(p, box, shown, f"{what}: pressing {key}")
            after = _check_slider_a11y(p, box, what, i)
            assert after["valuetext"] != before["valuetext"], (
                f"{what}: after {key} the slider still announces {before['valuetext']!r}")
            others = [r for j, r in enumerate(after["readouts"]) if j != i]
            assert others == [r for j, r in enumerate(before["readouts"]) if j != i], (
                f"{what}: {key} moved the other sliders too: {before['readouts']} -> "
                f"{after['readouts']}")
            _shows_expected_frame(before, after, what)
    _check_play(p, box, name, shown)


def _check_play(p, box, name: str, shown: str) -> None:
    """A play button, where there is one, is named, steps through the frames, and leaves
    the slider's own link to the frames working.

    Its icons must still be ``<i>`` elements: the theme's Font Awesome script, left
    to watch the page, turns them into ``<svg>``s, and the Play widget then throws
    on every update (``_static/frame-slider.js`` prevents it).
    """
    buttons = box.evaluate(PLAY_BUTTONS)
    if not buttons:
        return
    assert all(b["name"] for b in buttons), (
        f"{name}: play buttons without an accessible name: {buttons}")
    assert all(b["icon"].startswith("fa fa-") for b in buttons), (
        f"{name}: a play button lost its <i> icon (Font Awesome replaced it?): {buttons}")
    play = box.locator(".widget-play button").first
    before = box.evaluate(SLIDER_A11Y, 0)
    play.click()
    shown = _wait_for_new_frame(p, box, shown, f"{name}: the play button", timeout=15_000)
    play.click()  # pause
    after = box.evaluate(SLIDER_A11Y, 0)
    # the button may drive any one slider of a grid (frame_grid(play=k)): one readout moves
    assert after["readouts"] != before["readouts"], f"{name}: playing did not move a slider"
    _shows_expected_frame(before, after, f"{name} (playing)")
    # the slider still turns the frames after the play button has run
    p.wait_for_timeout(2 * PLAY_INTERVAL_MS)  # let a step scheduled before the pause land
    shown = box.evaluate(VISIBLE_FRAME)
    before = box.evaluate(SLIDER_A11Y, 0)
    handle = box.locator(".noUi-handle").first
    handle.focus()
    handle.press("Home" if handle.get_attribute("aria-valuenow") != handle.get_attribute(
        "aria-valuemin") else "End")
    _wait_for_new_frame(p, box, shown, f"{name}: the slider after playing")
    _shows_expected_frame(before, box.evaluate(SLIDER_A11Y, 0), f"{name} (after playing)")


def test_attention_heat_maps_follow_both_sliders(visit, site_dir):
    """The chapter on attention has a grid of frames (``widgets.frame_grid``): each of its
    two sliders must change the picture on its own, with no kernel."""
    page = "chapters/04_attention"
    if not (site_dir / f"{page}.html").is_file():
        pytest.skip(f"{page} is not in this build")
    p = visit(f"{page}.html").page
    boxes = p.locator(f".{WIDGET_CLASS}")
    boxes.first.wait_for(state="visible")
    grids = [boxes.nth(i) for i in range(boxes.count())
             if boxes.nth(i).locator(".noUi-handle").count() == 2]
    assert grids, f"{page}: no widget with two sliders"
    grid = grids[0]
    grid.scroll_into_view_if_needed()
    p.wait_for_function(VISIBLE_IMAGE_SRC, arg=grid.element_handle())
    before = grid.evaluate(VISIBLE_IMAGE_SRC)
    # the grid starts at its last row and column: Home on either slider moves away
    for which, name in ((1, "the checkpoint slider"), (0, "the input slider")):
        handle = grid.locator(".noUi-handle").nth(which)
        handle.focus()
        handle.press("Home")
        p.wait_for_function(
            "([box, before]) => { const img = Array.from(box.querySelectorAll('img'))"
            ".find(i => i.checkVisibility() && i.naturalWidth > 0);"
            " return img && img.src !== before; }",
            arg=[grid.element_handle(), before], timeout=10_000)
        after = grid.evaluate(VISIBLE_IMAGE_SRC)
        assert after and after != before, f"{page}: {name} did not change the picture"
        before = after


# The chapter "Explicit memory": a grid of frames driven by four sliders -------------

MEMORY_PAGE = "chapters/10_memory"


def test_memory_page_widget_grid_every_slider_changes_the_picture(site_dir, visit):
    """Each of the four sliders (β, g, shift, γ) of the addressing widget flips the frame."""
    html_file = site_dir / f"{MEMORY_PAGE}.html"
    if not html_file.is_file():
        pytest.skip(f"{MEMORY_PAGE} is not in this build")
    assert html_file.stat().st_size < 3_500_000, "the page should stay under about 3 MB"
    v = visit(f"{MEMORY_PAGE}.html")
    p = v.page
    boxes = p.locator(f".{WIDGET_CLASS}")
    boxes.first.wait_for(state="visible")
    grid = None
    for i in range(boxes.count()):
        if boxes.nth(i).locator(".noUi-handle").count() == 4:
            grid = boxes.nth(i)
    assert grid is not None, "no frame widget with four sliders on the memory page"
    grid.scroll_into_view_if_needed()
    p.wait_for_function(VISIBLE_IMAGE_SRC, arg=grid.element_handle())
    handles = grid.locator(".noUi-handle")
    for k in range(4):
        handle = handles.nth(k)
        before = grid.evaluate(VISIBLE_IMAGE_SRC)
        key = "Home" if handle.get_attribute("aria-valuenow") == handle.get_attribute(
            "aria-valuemax") else "End"
        handle.focus()
        handle.press(key)
        p.wait_for_function(
            "([box, before]) => { const img = Array.from(box.querySelectorAll('img'))"
            ".find(i => i.checkVisibility() && i.naturalWidth > 0);"
            " return img && img.src !== before; }",
            arg=[grid.element_handle(), before], timeout=10_000)
    assert not v.console_errors, f"console errors: {v.console_errors}"


# --- a phone's width, dark mode, no JavaScript ---------------------------------------


def _page_html(site_dir, page: str) -> str:
    return (site_dir / f"{page}.html").read_text(encoding="utf-8")


def test_narrow_screen(toc_page, site_dir, visit, screenshot_dir):
    """At 400 px nothing is cut off unseen: wide equations scroll, with a cue; reports wrap."""
    page = toc_page
    html = _page_html(site_dir, page)
    if 'class="math' not in html and "cell_output" not in html:
        pytest.skip(f"{page} has no equations and no code output")
    v = visit(f"{page}.html", width=400)
    report = v.page.evaluate(NARROW_REPORT)
    assert not report["problems"], (
        f"{page} at 400 px ({report['equations']} display equations, {report['wide']} wider "
        f"than the column):\n" + "\n".join(report["problems"][:10]))
    if WIDGET_CLASS in html:
        # Every slider keeps a track one can drag (it was squeezed to 0 px beside Play).
        tracks = v.page.locator(f".{WIDGET_CLASS} .noUi-base")
        tracks.first.wait_for(state="attached")
        widths = tracks.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
        narrow = [round(w) for w in widths if w < MIN_TRACK_PX]
        assert not narrow, (f"{page} at 400 px: {len(narrow)} of {len(widths)} slider tracks "
                            f"are narrower than {MIN_TRACK_PX} px: {narrow}")
    v.page.screenshot(path=_screenshot_path(screenshot_dir / "400px", page), full_page=True)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_figures_on_white(theme, toc_page, site_dir, visit):
    """Figures keep a white, undimmed background in light and in dark mode."""
    page = toc_page
    html = _page_html(site_dir, page)
    sliders = _expected_frame_sliders(html)
    if "<img" not in html and not sliders:
        pytest.skip(f"{page} has no figures")
    v = visit(f"{page}.html", theme=theme)
    p = v.page
    assert p.evaluate("document.documentElement.dataset.theme") == theme, (
        f"{page}: the theme did not switch to {theme} mode")
    if sliders:
        p.wait_for_function(
            f"n => Array.from(document.querySelectorAll('.{WIDGET_CLASS}'))"
            ".filter(b => Array.from(b.querySelectorAll('img')).some("
            "i => i.checkVisibility() && i.naturalWidth > 0)).length >= n", arg=sliders)
    figures = p.evaluate(FIGURE_BACKDROPS)
    assert figures, f"{page}: found no figure images"
    problems = []
    for fig in figures:
        if min(fig["backdrop"]) < 250:
            problems.append(f"{fig['src']}: drawn on rgb{tuple(fig['backdrop'])}, not white")
        if fig["filter"] not in ("none", ""):
            problems.append(f"{fig['src']}: dimmed by filter {fig['filter']}")
        r, g, b, a = fig["corner"]
        if a > 0 and min(r, g, b) < 245:
            problems.append(f"{fig['src']}: its own background is rgb{(r, g, b)}, not white")
    assert not problems, f"{page} in {theme} mode:\n" + "\n".join(problems[:10])


def test_frame_sliders_without_javascript(toc_page, site_dir, visit):
    """With JavaScript off, each frame slider still shows its first frame, with alt text."""
    page = toc_page
    expected = _expected_frame_sliders(_page_html(site_dir, page))
    if not expected:
        pytest.skip(f"{page} has no frame sliders")
    v = visit(f"{page}.html", javascript=False)
    frames = v.page.locator(f".{WIDGET_CLASS}-fallback img")
    assert frames.count() == expected, (
        f"{page}: {frames.count()} static frames for {expected} frame sliders")
    for i in range(expected):
        img = frames.nth(i)
        img.scroll_into_view_if_needed()
        assert img.is_visible(), f"{page}: static frame {i + 1} is not shown"
        assert (img.get_attribute("alt") or "").strip(), f"{page}: static frame {i + 1} has no alt"
        box = img.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, (
            f"{page}: static frame {i + 1} is {box}, too small to be a picture")
    assert not v.foreign, f"{page} tried to reach other hosts: {sorted(set(v.foreign))}"
