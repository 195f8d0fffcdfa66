/* Trade Mirror: render every chart on the page with vega-embed (served from this site).
 *
 * Runs on first load and after each of Material's instant page changes, and
 * re-renders when the reader toggles dark mode. Uses Vega's expression
 * interpreter (ast: true) so the page works under a Content-Security-Policy
 * without 'unsafe-eval', and turns off the action menu, which could send a
 * spec to an external editor. The static SVG stays visible until a chart has
 * rendered, and for good if it cannot.
 */
(function () {
  "use strict";

  var DARK = {
    title: { color: "#e6e6e6", subtitleColor: "#b8b8b8" },
    axis: { labelColor: "#d0d0d0", titleColor: "#d0d0d0", domainColor: "#8a8a8a", tickColor: "#8a8a8a", gridColor: "#444" },
    legend: { labelColor: "#d0d0d0", titleColor: "#d0d0d0" },
    text: { color: "#e6e6e6" }
  };
  var LIGHT = {
    title: { color: "#1a1a1a", subtitleColor: "#555" },
    axis: { labelColor: "#333", titleColor: "#333" },
    legend: { labelColor: "#333", titleColor: "#333" }
  };
  var views = [];

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function finalizeAll() {
    views.forEach(function (v) { v.finalize(); });
    views = [];
  }

  function renderAll() {
    if (typeof window.vegaEmbed !== "function") { return; }
    finalizeAll();
    var mode = scheme();
    document.querySelectorAll(".tm-vega[data-spec]").forEach(function (el) {
      var figure = el.closest(".tm-chart");
      fetch(el.getAttribute("data-spec"))
        .then(function (response) {
          if (!response.ok) { throw new Error("chart spec: HTTP " + response.status); }
          return response.json();
        })
        .then(function (spec) {
          return window.vegaEmbed(el, spec, {
            mode: "vega-lite",
            renderer: "svg",
            actions: false,
            ast: true,
            config: mode === "dark" ? DARK : LIGHT
          });
        })
        .then(function (result) {
          views.push(result);
          el.setAttribute("data-theme", mode);
          if (figure) { figure.classList.add("tm-chart--live"); }
        })
        .catch(function (error) {
          el.textContent = "";
          if (figure) { figure.classList.remove("tm-chart--live"); }
          if (window.console) { console.warn("Trade Mirror chart not rendered:", error.message); }
        });
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(renderAll);  // Material: first load and every instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.attributeName === "data-md-color-scheme") { renderAll(); }
    });
  }).observe(document.body, { attributes: true });
})();
