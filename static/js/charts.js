// Draws every chart of the page with plotly.js: each <figure class="chart"
// data-figure="ID"> names the json_script element (id ID) that holds its
// {data, layout}, and holds a .chart-canvas to draw into. No inline script.
(function () {
  "use strict";

  // A figure's layout may say, in meta.narrow, what changes on a narrow screen
  // (a phone): each axis's or the legend's settings there replace its own.
  var NARROW_PIXELS = 560;

  function narrowed(layout, width) {
    var changes = layout.meta && layout.meta.narrow;
    if (!changes || width >= NARROW_PIXELS) {
      return;
    }
    Object.keys(changes).forEach(function (key) {
      layout[key] = Object.assign({}, layout[key] || {}, changes[key]);
    });
  }

  function draw(figure) {
    var source = document.getElementById(figure.dataset.figure);
    var canvas = figure.querySelector(".chart-canvas");
    if (!source || !canvas || !window.Plotly) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    narrowed(spec.layout, canvas.clientWidth);
    window.Plotly.newPlot(canvas, spec.data, spec.layout, {
      responsive: true,
      displayModeBar: false,
      displaylogo: false,
      scrollZoom: false,
      // A label between dollar signs stays text even if MathJax were ever on the
      // page (the figures' labels come escaped from public/charts.py).
      typesetMath: false,
    });
  }

  document.querySelectorAll("figure.chart[data-figure]").forEach(draw);
})();
