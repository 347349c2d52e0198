// The forecast's band chart: the Vega-Lite spec from the page's JSON block, drawn with the
// vendored vega-embed and the expression interpreter (the CSP forbids eval and inline styles).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("forecast-chart");
    var source = document.getElementById("forecast-chart-spec");
    if (!holder || !source || typeof vegaEmbed !== "function") return;
    var spec = JSON.parse(source.textContent);
    vegaEmbed(holder, spec, {
      ast: true,
      expr: vega.expressionInterpreter,
      actions: false,
      defaultStyle: false,
      renderer: "svg",
      tooltip: { disableDefaultStyle: true },
    }).catch(function () {
      holder.hidden = true; // the data table below says the same
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
