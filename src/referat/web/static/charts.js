// Draws each chart from the JSON beside it (the table beside it holds the same numbers).
// Counts (decisions per year) get whole-number ticks only; amounts keep their decimals.
document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
  var spec = JSON.parse(canvas.closest("figure").querySelector("script[type='application/json']").textContent);
  var colours = ["#0b5cad", "#1a7f37", "#a40e26", "#bf8700", "#6e40c9", "#57606a", "#0a3069", "#bf3989"];
  var byKind = { approved: "#1a7f37", approved_with_changes: "#6fdd8b", recommended: "#0b5cad", rejected: "#a40e26",
                 postponed: "#bf8700", referred: "#6e40c9", noted: "#57606a", other: "#bf3989", none: "#d0d7de" };
  var number = new Intl.NumberFormat("da-DK");
  var y = { stacked: spec.stacked, beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } };
  if (spec.integer) { y.ticks.precision = 0; }
  new Chart(canvas, {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: spec.series.map(function (s, i) {
        var colour = byKind[s.kind] || colours[i % colours.length];
        return { label: s.label, data: s.data, backgroundColor: colour, borderColor: colour, spanGaps: true };
      })
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, locale: "da-DK",
               scales: { x: { stacked: spec.stacked }, y: y } }
  });
});
