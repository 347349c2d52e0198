// Renders the measure charts: each element with data-vega-spec names the json_script
// element holding its Vega-Lite spec (built with altair on the server). The CSP forbids
// eval, so vega-embed runs with the expression interpreter; canvas, because the SVG
// renderer writes inline styles the CSP refuses. The table beside each chart holds the
// same figures, so a chart that cannot be drawn loses nothing.
(function () {
  "use strict";

  function render() {
    if (typeof vegaEmbed === "undefined" || typeof vega === "undefined") {
      return;
    }
    document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-vega-spec"));
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      vegaEmbed(element, spec, {
        ast: true,
        expr: vega.expressionInterpreter,
        actions: false,
        renderer: "canvas",
        defaultStyle: false,
        tooltip: false,
      })
        .then(function () {
          element.setAttribute("data-rendered", "true");
        })
        .catch(function () {
          element.hidden = true;
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
