// The report's Pacing charts (runs in the browser after assets/report.js, which set Chart.js's defaults;
// inlined by engine/src/report/html.ts). One chart per managed campaign card from rpt_send_capacity:
// what its mailboxes could send and start a day against what they did, and the backlog in days. Like
// report.js, each card gets data-points so the headless-Chromium test can check it has data.
(() => {
  const report = JSON.parse(document.getElementById("report-data").textContent);
  const day = (v) => (v === null || v === undefined ? "undated" : String(v).slice(0, 10));
  const value = (v) => (v === null || v === undefined ? null : Number(v));
  const dashed = { borderDash: [6, 4], pointRadius: 0 };
  const SERIES = [
    ["sends a day (capacity)", "sends_per_day", "#2563eb", dashed],
    ["sent", "sent_last_day", "#2563eb", {}],
    ["new starts a day (capacity)", "new_starts_per_day", "#10b981", dashed],
    ["new leads started", "new_leads_last_day", "#10b981", {}],
    ["backlog days", "backlog_days", "#f59e0b", { yAxisID: "days" }],
  ];
  const axis = (text, extra = {}) => ({ beginAtZero: true, title: { display: true, text }, ...extra });

  for (const card of document.querySelectorAll('[data-section="pacing"][data-chart]')) {
    const rows = (report.tables.pacing ?? [])
      .filter((r) => String(r.campaign_id) === card.dataset.campaign)
      .sort((a, b) => day(a.day).localeCompare(day(b.day)));
    const datasets = SERIES.map(([label, column, colour, extra]) => ({
      type: "line",
      label,
      data: rows.map((r) => value(r[column])),
      borderColor: colour,
      backgroundColor: colour,
      spanGaps: true,
      ...extra,
    }));
    const points = datasets.reduce((n, ds) => n + ds.data.filter((v) => v !== null && v !== 0).length, 0);
    card.dataset.points = String(points);
    if (points === 0) {
      card.querySelector(".chart").innerHTML =
        '<p class="empty">No data yet: run the pipeline, then the report again.</p>';
      continue;
    }
    new Chart(card.querySelector("canvas"), {
      type: "line",
      data: { labels: rows.map((r) => day(r.day)), datasets },
      options: {
        scales: {
          y: axis("emails / leads a day"),
          days: axis("backlog days", { position: "right", grid: { drawOnChartArea: false } }),
        },
      },
    });
  }
})();
