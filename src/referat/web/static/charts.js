// Draws each chart from the JSON beside it (the table beside it holds the same numbers).
document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
  var spec = JSON.parse(canvas.parentElement.querySelector("script[type='application/json']").textContent);
  var colours = ["#1a7f37", "#7d4e00", "#0b5cad", "#57606a", "#6e40c9", "#a40e26", "#bf8700", "#0a3069"];
  new Chart(canvas, {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: spec.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length],
                 borderColor: colours[i % colours.length], spanGaps: true };
      })
    },
    options: { responsive: true, animation: false, locale: "da-DK",
               scales: { x: { stacked: spec.stacked }, y: { stacked: spec.stacked, beginAtZero: true } } }
  });
});
