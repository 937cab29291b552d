// The office's charts: for each canvas.spending-chart, horizontal bars of public funding and paid amount per row
// (programme or theme), drawn by Chart.js from the canvas's data attributes. The table after each chart holds the
// same figures, so the chart adds nothing a reader of the table misses.
(function () {
  if (!window.Chart) { return; }
  window.Chart.defaults.font.size = 14;
  window.Chart.defaults.color = "#1a1a1a";
  var lang = document.documentElement.lang || "it";
  var money = new Intl.NumberFormat(lang === "en" ? "en-GB" : "it-IT", {style: "currency", currency: "EUR",
                                                                          maximumFractionDigits: 0});
  document.querySelectorAll("canvas.spending-chart").forEach(function (el) {
    var d = el.dataset;
    var labels = JSON.parse(d.labels);
    if (!labels.length) { el.parentNode.hidden = true; return; }
    el.parentNode.style.height = Math.max(160, 60 + labels.length * 44) + "px";
    new window.Chart(el, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          {label: d.labelPublic, data: JSON.parse(d.public).map(Number), backgroundColor: "#0066cc"},
          {label: d.labelPaid, data: JSON.parse(d.paid).map(Number), backgroundColor: "#008055"}
        ]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: {ticks: {callback: function (v) { return money.format(v); }}},
          // long labels are cut on a narrow screen; the table after the chart holds them whole
          y: {ticks: {callback: function (v) {
            var label = this.getLabelForValue(v);
            var room = el.clientWidth < 500 ? 18 : 40;
            return label.length > room ? label.slice(0, room - 1) + "…" : label;
          }}}
        },
        plugins: {tooltip: {callbacks: {label: function (c) { return c.dataset.label + ": " + money.format(c.parsed.x); }}}}
      }
    });
  });
})();
