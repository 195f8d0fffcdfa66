/* Trade Mirror: draw each chart on the page with vega-embed (served from this site).
 *
 * On a page of the site, a chart is drawn on the reader's first interaction
 * with its figure (pointer down, hover or keyboard focus), so reading the
 * page never waits for the main thread drawing charts: the static image,
 * which looks the same, shows until then, and for good without JavaScript.
 * On an embed page (one chart) it is drawn when it comes near the viewport
 * (IntersectionObserver). The Vega bundle (vega.js, beside this file, about
 * 1 MB) is loaded only for the first chart drawn, once: on a phone it costs
 * more main-thread time than everything else on the page (bench/README.md,
 * Lighthouse). Runs on first load and after each of Material's instant page
 * changes, and redraws drawn charts when the reader toggles dark mode. The
 * title and source line are HTML above the chart (they wrap to any width),
 * so the interactive chart leaves its own out. Uses Vega's expression
 * interpreter (ast: true) so the page works under a Content-Security-Policy
 * without 'unsafe-eval', and turns off the action menu, which could send a
 * spec to an external editor. On an embed page, tells the host page its
 * height, so the host's iframe can take it (see the embed code).
 */
(function () {
  "use strict";

  var DARK = {
    axis: { labelColor: "#d0d0d0", titleColor: "#d0d0d0", domainColor: "#8a8a8a", tickColor: "#8a8a8a", gridColor: "#444" },
    legend: { labelColor: "#d0d0d0", titleColor: "#d0d0d0" },
    text: { color: "#e6e6e6" },
    rule: { color: "#9a9a9a" }
  };
  var LIGHT = {
    axis: { labelColor: "#333", titleColor: "#333" },
    legend: { labelColor: "#333", titleColor: "#333" },
    text: { color: "#1a1a1a" }
  };
  var views = [];
  var watcher = null;
  var here = document.currentScript && document.currentScript.src;
  var bundle = null;

  function loadVega() {
    if (typeof window.vegaEmbed === "function") { return Promise.resolve(); }
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = here.replace(/charts\.js(\?.*)?$/, "vega.js");
        script.onload = resolve;
        script.onerror = function () { bundle = null; reject(new Error("vega.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return bundle;
  }

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function finalizeAll() {
    views.forEach(function (v) { v.finalize(); });
    views = [];
  }

  function draw(el) {
    var figure = el.closest(".tm-chart");
    var mode = scheme();
    el.setAttribute("data-state", "drawing");
    return loadVega()
      .then(function () { return fetch(el.getAttribute("data-spec")); })
      .then(function (response) {
        if (!response.ok) { throw new Error("chart spec: HTTP " + response.status); }
        return response.json();
      })
      .then(function (spec) {
        delete spec.title;  // shown above the chart in HTML
        return window.vegaEmbed(el, spec, {
          mode: "vega-lite",
          renderer: "svg",
          actions: false,
          ast: true,
          config: mode === "dark" ? DARK : LIGHT
        });
      })
      .then(function (result) {
        views.push(result.view);
        el.setAttribute("data-theme", mode);
        el.setAttribute("data-state", "drawn");
        if (figure) { figure.classList.add("tm-chart--live"); }
        tellHost();
      })
      .catch(function (error) {
        el.textContent = "";
        el.setAttribute("data-state", "failed");
        if (figure) { figure.classList.remove("tm-chart--live"); }
        if (window.console) { console.warn("Trade Mirror chart not drawn:", error.message); }
      });
  }

  var WAKE = ["pointerdown", "mouseover", "focusin"];

  function onFirstInteraction(figure, el) {
    function wake() {
      WAKE.forEach(function (type) { figure.removeEventListener(type, wake); });
      draw(el);
    }
    WAKE.forEach(function (type) { figure.addEventListener(type, wake, { passive: true }); });
  }

  function watchAll() {
    if (!here) { return; }
    if (watcher) { watcher.disconnect(); }
    finalizeAll();
    var charts = document.querySelectorAll(".tm-vega[data-spec]");
    var embed = document.body.classList.contains("tm-embed");
    if (!embed) {
      charts.forEach(function (el) { onFirstInteraction(el.closest(".tm-chart") || el.parentNode, el); });
      return;
    }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw);
      return;
    }
    watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          watcher.unobserve(entry.target);
          draw(entry.target.querySelector(".tm-vega[data-spec]"));
        }
      });
    }, { rootMargin: "300px 0px" });
    // The figure is watched, not the chart's own box: that is empty (and hidden) until drawn.
    charts.forEach(function (el) { watcher.observe(el.closest(".tm-chart") || el.parentNode); });
  }

  function redrawDrawn() {
    finalizeAll();
    document.querySelectorAll(".tm-vega[data-state=drawn]").forEach(draw);
  }

  function tellHost() {
    if (window.parent === window || !document.body.classList.contains("tm-embed")) { return; }
    window.parent.postMessage({ "trade-mirror-height": Math.ceil(document.documentElement.scrollHeight) }, "*");
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(watchAll);  // Material: first load and every instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchAll);
  } else {
    watchAll();
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.attributeName === "data-md-color-scheme") { redrawDrawn(); }
    });
  }).observe(document.body, { attributes: true });
  if (document.body.classList.contains("tm-embed") && "ResizeObserver" in window) {
    new ResizeObserver(tellHost).observe(document.body);
  }
})();
