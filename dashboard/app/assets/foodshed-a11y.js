/* Foodshed dashboard: accessibility of the plotly charts and maps (docs/dashboard.md,
 * Accessibility). After each draw of a chart or map:
 *  - it is a named figure: role="figure" and aria-label from its title (or, for a map without
 *    a title, its meta.title; else data-fs-name around it, its panel's heading, or the note
 *    of an empty chart);
 *  - its tool bar is one tab stop, the PNG download: the other buttons (zoom, pan, reset...)
 *    are for a mouse and leave the keyboard's path (tabindex=-1), so Tab goes past a chart in
 *    one step instead of nine;
 *  - on a narrow chart (a phone), a legend over the plot goes under it, and a colour bar (a
 *    map's class key) drops its wrapped title, so neither covers the map or takes half its
 *    width; both come back when the chart is wide again.
 * And the form fields that Dash's components draw without a name get one:
 *  - a slider's thumb and its number box: the <label for=ID> of the slider (dbc.Label with
 *    html_for), or the data-fs-label of a Div around it;
 *  - an upload's file input: the upload's own words ("Drag and drop or click...");
 *  - a dropdown's focus helper (an aria-hidden input that Tab lands on) is named after the
 *    dropdown instead of hidden, and the dropdown's button is named by its label and its value.
 */
(function () {
  "use strict";
  var NARROW = 576;

  function plainText(html) {
    var div = document.createElement("div");
    div.innerHTML = String(html || "").replace(/<br\s*\/?>/gi, " ");
    return (div.textContent || "").replace(/\s+/g, " ").trim();
  }

  function chartName(gd) {
    var layout = gd.layout || {};
    var title = layout.title;
    var text = plainText(typeof title === "string" ? title : title && title.text);
    if (!text && layout.meta && typeof layout.meta.title === "string") text = layout.meta.title;
    if (!text) {
      var named = gd.closest("[data-fs-name]");
      text = named ? named.getAttribute("data-fs-name") : "";
    }
    if (!text) {  // a chart under its panel's heading ("Key figures side by side")
      var panel = gd.closest(".fs-panel");
      var head = panel && panel.querySelector("h1, h2, h3, h4, h5, h6");
      text = head ? (head.textContent || "").trim() : "";
    }
    if (!text) {
      var ann = (layout.annotations || [])[0];
      text = plainText(ann && ann.text);
    }
    return text || ((gd.data || []).length ? "Chart" : "Empty chart");
  }

  function name(gd) {
    gd.setAttribute("role", "figure");
    var text = chartName(gd);
    if (gd.getAttribute("aria-label") !== text) gd.setAttribute("aria-label", text);
  }

  function toolBar(gd) {
    var buttons = gd.querySelectorAll(".modebar-btn");
    for (var i = 0; i < buttons.length; i++) {
      var png = /^Download plot/.test(buttons[i].getAttribute("data-title") || "");
      if (png) buttons[i].removeAttribute("tabindex");
      else buttons[i].setAttribute("tabindex", "-1");
    }
  }

  function kept(obj, keys) {
    var out = {};
    for (var i = 0; i < keys.length; i++) {
      var v = obj ? obj[keys[i]] : undefined;
      out[keys[i]] = v === undefined ? null : v;
    }
    return out;
  }

  function prefixed(prefix, obj) {
    var out = {};
    for (var k in obj) out[prefix + k] = obj[k];
    return out;
  }

  var SIDE = ["orientation", "x", "xanchor", "y", "yanchor"];

  function legend(gd) {
    var full = gd._fullLayout;
    if (!full || !window.Plotly) return;
    var narrow = gd.clientWidth > 0 && gd.clientWidth < NARROW;
    var moved = gd.fsLegendSide;
    if (narrow && !moved) {
      var lay = gd.layout || {};
      var legendSide = full.showlegend !== false && full.legend && full.legend.orientation !== "h";
      // a colour bar (a map's class key) keeps its side but not its wrapped title, which took
      // 170 px (the map's title and the words under the map say what the colours are)
      var bars = [];
      (gd._fullData || []).forEach(function (t, i) {
        var c = t.colorbar;
        if (t.showscale && c && c.orientation !== "h" && c.title && c.title.text) bars.push(t.index);
      });
      if (!legendSide && !bars.length) return;
      var undo = { layout: {}, traces: [] };
      var change = {};
      if (legendSide) {
        undo.layout = prefixed("legend.", kept(lay.legend, SIDE));
        change = prefixed("legend.", { orientation: "h", x: 0, xanchor: "left", y: -0.02,
          yanchor: "top" });
      }
      if (bars.length) {
        undo.layout["margin.r"] = lay.margin && lay.margin.r !== undefined ? lay.margin.r : null;
        change["margin.r"] = 0;  // plotly widens it to the bar's labels
        bars.forEach(function (i) {
          var c = (gd.data[i] || {}).colorbar || {};
          var title = c.title && c.title.text !== undefined ? c.title.text : null;
          undo.traces.push([i, { "colorbar.title.text": title }]);
        });
      }
      gd.fsLegendSide = undo;
      bars.forEach(function (i) {
        window.Plotly.restyle(gd, { "colorbar.title.text": "" }, [i]);
      });
      window.Plotly.relayout(gd, change);
    } else if (!narrow && moved) {
      gd.fsLegendSide = null;
      moved.traces.forEach(function (t) { window.Plotly.restyle(gd, t[1], [t[0]]); });
      window.Plotly.relayout(gd, moved.layout);
    }
  }

  function afterPlot(gd) {
    return function () {
      name(gd);
      toolBar(gd);
      // a new figure from a callback brings its own legend back: look again
      if (gd.fsLegendSide && gd.fsFigure !== gd.data) gd.fsLegendSide = null;
      gd.fsFigure = gd.data;
      legend(gd);
    };
  }

  function labelOf(el) {
    var host = el.closest("[id]");
    var label = host && document.querySelector('label[for="' + CSS.escape(host.id) + '"]');
    if (label) {
      if (!label.id) label.id = host.id.replace(/[^A-Za-z0-9_-]/g, "-") + "-label";
      return { by: label.id };
    }
    var named = el.closest("[data-fs-label]");
    return named ? { text: named.getAttribute("data-fs-label") } : null;
  }

  function setName(el, name) {
    if (!name || el.getAttribute("aria-labelledby") || el.getAttribute("aria-label")) return;
    if (name.by) el.setAttribute("aria-labelledby", name.by);
    else el.setAttribute("aria-label", name.text);
  }

  function forms() {
    var roots = document.querySelectorAll(".dash-slider-root");
    for (var i = 0; i < roots.length; i++) {
      var wrap = roots[i].closest("[id]") || roots[i].parentNode;
      var name = labelOf(roots[i]);
      var fields = wrap.querySelectorAll("[role=slider], input");
      for (var j = 0; j < fields.length; j++) setName(fields[j], name);
    }
    var files = document.querySelectorAll("input[type=file]");
    for (var k = 0; k < files.length; k++) {
      var box = files[k].parentNode;
      var words = box ? (box.textContent || "").replace(/\s+/g, " ").trim() : "";
      setName(files[k], { text: words || "Choose a file" });
    }
    var helpers = document.querySelectorAll(".dash-dropdown-focus-target[aria-hidden=true]");
    for (var m = 0; m < helpers.length; m++) dropdown(helpers[m]);
  }

  // Dash 4's dropdown: Tab lands on a hidden helper input that hands the focus to the dropdown's
  // button at once. The helper was aria-hidden yet focusable (axe: serious); it now carries the
  // dropdown's name instead. The button named itself by its value only ("Balance: ..."): its
  // <label for> ("Goal") now comes first.
  function dropdown(helper) {
    helper.removeAttribute("aria-hidden");
    var button = helper.nextElementSibling;
    var label = button && button.id &&
      document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
    var words = label ? (label.textContent || "").trim() : "";
    helper.setAttribute("aria-label", words || "Choose from the list");
    if (label && button) {
      if (!label.id) label.id = button.id.replace(/[^A-Za-z0-9_-]/g, "-") + "-label";
      var by = button.getAttribute("aria-labelledby") || "";
      if (by.split(" ").indexOf(label.id) < 0) {
        button.setAttribute("aria-labelledby", (label.id + " " + by).trim());
      }
    }
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      forms();
    });
  }

  function watch() {
    later();
    var plots = document.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < plots.length; i++) {
      var gd = plots[i];
      if (typeof gd.on !== "function" || gd.fsA11y) continue;
      gd.fsA11y = true;
      var after = afterPlot(gd);
      gd.on("plotly_afterplot", after);
      if (gd._fullLayout) after();
    }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      var plots = document.querySelectorAll(".js-plotly-plot");
      for (var i = 0; i < plots.length; i++) legend(plots[i]);
    }, 200);
  });
  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
})();
