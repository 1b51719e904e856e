/* Foodshed dashboard: hide a map's static picture once the interactive map has drawn.
 * The equity map page comes with an SVG picture of its map (dashboard/figures/preview.py) so the
 * map is seen before plotly.js has loaded; plotly's "plotly_afterplot" event ends it. */
(function () {
  "use strict";
  function watch() {
    var wraps = document.querySelectorAll(".fs-map-wrap:not(.fs-drawn)");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var gd = wrap.querySelector(".js-plotly-plot");
      if (!gd || typeof gd.on !== "function" || gd.fsHooked) continue;
      gd.fsHooked = true;
      gd.on("plotly_afterplot", (function (w, g) {
        return function () {
          // a map is drawn once its canvas is there (a figure without a map: at once)
          var sub = g._fullLayout && g._fullLayout._subplots;
          var hasMap = sub && sub.map && sub.map.length;
          if (!hasMap || g.querySelector(".maplibregl-canvas")) w.classList.add("fs-drawn");
        };
      })(wrap, gd));
    }
  }
  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
})();
