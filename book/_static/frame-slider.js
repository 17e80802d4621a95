/*
 * Accessibility for the book's frame sliders (textbook_rnn.widgets.frame_slider)
 * on the static site.
 *
 * The frames carry their own alt text (frame_slider draws each as an <img alt>).
 * The slider, though, is a noUiSlider handle (role="slider") that the ipywidgets
 * manager leaves without an accessible name, and that announces its position
 * (0, 1, 2 ...) rather than the value it selects. For every element with the
 * class trnn-frame-slider this script
 *   - names the slider handle after the slider's visible description;
 *   - makes the handle announce the value shown in the readout ("0.90"), and
 *     keeps that in step as the slider moves;
 *   - does so for each slider of a frame grid (one per parameter), and names the
 *     icon-only buttons of a Play widget.
 * The widgets are drawn after the page loads, so a MutationObserver applies
 * this whenever one appears or changes. Every change is idempotent.
 */
/*
 * Play buttons. The theme's Font Awesome script replaces every <i class="fa ...">
 * by an <svg>, and keeps watching the page to do so. The Play widget of the
 * ipywidgets manager, though, finds its play/pause icon as the button's <i> each
 * time it updates; once that <i> is gone it throws, and the exception aborts the
 * whole chain of jslink updates it sits in: the Play does not step and the
 * slider stops turning the frames. So (1) Font Awesome is told not to watch the
 * page (it still converts the theme's own icons, all present when it loads), and
 * (2) any Play icon it converted anyway is turned back into an <i>. The icons
 * themselves are drawn by book.css from plain characters, so the page loads no
 * icon font (the manager's own would be fetched from a wrong path).
 */
window.FontAwesomeConfig = Object.assign({}, window.FontAwesomeConfig, {observeMutations: false});

(function () {
  "use strict";
  var BOX = ".trnn-frame-slider";

  // An <svg> Font Awesome made from a Play widget's <i>, turned back into the <i>.
  function restoreIcon(button) {
    if (button.querySelector("i")) return;
    var svg = button.querySelector("svg[data-icon]");
    var icon = document.createElement("i");
    icon.className = "fa fa-" + (svg ? svg.getAttribute("data-icon") : "play");
    if (svg) svg.remove();
    button.appendChild(icon);
  }

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function setAttr(el, name, value) {
    if (value && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  // The Play widget's buttons show only an icon; name them after it.
  var PLAY_NAMES = {"fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop",
                    "fa-retweet": "Repeat", "fa-repeat": "Repeat"};

  function fix(box) {
    // A frame grid has one slider per parameter: fix each handle on its own.
    box.querySelectorAll(".noUi-handle[role='slider']").forEach(function (handle) {
      var slider = handle.closest(".widget-slider, .widget-hslider, .widget-vslider") || box;
      var label = text(slider.querySelector(".widget-label"));
      setAttr(handle, "aria-label", label || "Frame");
      setAttr(handle, "aria-valuetext", text(slider.querySelector(".widget-readout")));
    });
    box.querySelectorAll(".widget-play button").forEach(function (button) {
      restoreIcon(button);
      var icon = button.querySelector("i");
      Object.keys(PLAY_NAMES).forEach(function (cls) {
        if (icon && icon.classList.contains(cls)) setAttr(button, "aria-label", PLAY_NAMES[cls]);
      });
    });
  }

  function fixAll(root) {
    if (root.matches && root.matches(BOX)) fix(root);
    (root.querySelectorAll ? root.querySelectorAll(BOX) : []).forEach(fix);
  }

  var observer = new MutationObserver(function (records) {
    var boxes = new Set();
    records.forEach(function (r) {
      var el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      var box = el && el.closest(BOX);
      if (box) boxes.add(box);
      r.addedNodes.forEach(function (n) {
        if (n.nodeType === 1) fixAll(n);
      });
    });
    boxes.forEach(fix);
  });

  function start() {
    fixAll(document);
    observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ["aria-valuetext", "aria-valuenow", "class"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
