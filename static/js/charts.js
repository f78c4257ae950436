// Draws every chart of the page with plotly.js: each <figure class="chart"
// data-figure="ID"> names the json_script element (id ID) that holds its
// {data, layout}, and holds a .chart-canvas to draw into. No inline script.
(function () {
  "use strict";

  function draw(figure) {
    var source = document.getElementById(figure.dataset.figure);
    var canvas = figure.querySelector(".chart-canvas");
    if (!source || !canvas || !window.Plotly) {
      return;
    }
    var spec = JSON.parse(source.textContent);
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
