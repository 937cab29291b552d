// Bar charts drawn by Chart.js from each canvas.bar-chart's data attributes: data-labels (JSON list of the rows),
// data-series (JSON list of {label, values}), data-unit ("money", "number", "percent", or "date": then each value
// is a [first day, last day] pair in ISO form, drawn as a bar over a calendar, the series side by side on one
// row). The table beside each chart holds the same figures, so the chart adds nothing a reader of the table misses.
(function () {
  if (!window.Chart) { return; }
  window.Chart.defaults.font.size = 14;
  window.Chart.defaults.color = "#1a1a1a";
  var COLOURS = ["#0066cc", "#008055", "#a66300", "#5c2f91"];   // contrast >= 4.5:1 on white
  var lang = document.documentElement.lang || "it";
  var locale = lang === "en" ? "en-GB" : "it-IT";
  var days = new Intl.DateTimeFormat(locale, {day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC"});
  var formats = {
    money: new Intl.NumberFormat(locale, {style: "currency", currency: "EUR", maximumFractionDigits: 0}),
    number: new Intl.NumberFormat(locale, {maximumFractionDigits: 2}),
    percent: {format: function (v) { return new Intl.NumberFormat(locale, {maximumFractionDigits: 1}).format(v) + " %"; }},
    date: {format: function (v) { return days.format(new Date(v)); }}
  };
  function value(v, unit) {
    if (v === null) { return null; }
    return unit === "date" ? [Date.parse(v[0]), Date.parse(v[1])] : Number(v);
  }
  document.querySelectorAll("canvas.bar-chart").forEach(function (el) {
    var d = el.dataset;
    var labels = JSON.parse(d.labels);
    if (!labels.length) { el.parentNode.hidden = true; return; }
    var series = JSON.parse(d.series);
    var fmt = formats[d.unit] || formats.number;
    el.parentNode.style.height = Math.max(160, 60 + labels.length * 22 * Math.max(2, series.length)) + "px";
    new window.Chart(el, {
      type: "bar",
      data: {
        labels: labels,
        datasets: series.map(function (s, i) {
          return {label: s.label, data: s.values.map(function (v) { return value(v, d.unit); }),
                  backgroundColor: COLOURS[i % COLOURS.length], grouped: d.unit !== "date"};
        })
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          // a share of a target reads against the whole target
          x: {beginAtZero: d.unit !== "date", suggestedMax: d.unit === "percent" ? 100 : undefined,
              ticks: {callback: function (v) { return fmt.format(v); }}},
          // long labels are cut on a narrow screen; the table beside the chart holds them whole
          y: {ticks: {callback: function (v) {
            var label = this.getLabelForValue(v);
            var room = el.clientWidth < 500 ? 18 : 40;
            return label.length > room ? label.slice(0, room - 1) + "…" : label;
          }}}
        },
        plugins: {tooltip: {callbacks: {label: function (c) {
          var raw = c.raw;
          return c.dataset.label + ": " + (Array.isArray(raw) ? fmt.format(raw[0]) + " – " + fmt.format(raw[1])
                                                               : fmt.format(c.parsed.x));
        }}}}
      }
    });
  });
})();
