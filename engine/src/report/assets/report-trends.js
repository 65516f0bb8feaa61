// The report's hand-offs and trends charts (runs in the browser after assets/report.js, which set
// Chart.js's defaults; inlined by engine/src/report/html.ts). Hand-offs: rpt_handoffs_daily, stacked
// per campaign. Trends: one chart per campaign card from rpt_campaign_trends, the five rates by week
// and the cohort size. Like report.js, each card gets data-points for the headless-Chromium test.
(() => {
  const report = JSON.parse(document.getElementById("report-data").textContent);
  const t = report.tables;
  const day = (v) => (v === null || v === undefined ? "undated" : String(v).slice(0, 10));
  const value = (v) => (v === null || v === undefined ? null : Number(v));
  const uniq = (values) => [...new Set(values)];
  const COLOURS = ["#2563eb", "#f59e0b", "#10b981", "#ec4899", "#8b5cf6", "#06b6d4"];
  const nonZero = (datasets) =>
    datasets.reduce(
      (n, ds) => n + ds.data.filter((v) => v !== null && v !== undefined && Number(v) !== 0).length,
      0,
    );
  const empty = (card) => {
    card.querySelector(".chart").innerHTML =
      '<p class="empty">No data yet: run the pipeline, then the report again.</p>';
  };

  // Hand-offs per day, one stack per campaign.
  {
    const card = document.querySelector('[data-chart="handoffs"]');
    const rows = t.handoffs ?? [];
    const days = uniq(rows.map((r) => day(r.day))).sort();
    const campaigns = uniq(rows.map((r) => String(r.campaign_id))).sort();
    const label = (id) => {
      const r = rows.find((x) => String(x.campaign_id) === id);
      return `${r?.segment ?? "unrouted"} · ${r?.campaign_name ?? id}`;
    };
    const datasets = campaigns.map((id, i) => ({
      label: label(id),
      data: days.map((d) =>
        rows
          .filter((r) => day(r.day) === d && String(r.campaign_id) === id)
          .reduce((n, r) => n + Number(r.handoffs ?? 0), 0),
      ),
      backgroundColor: COLOURS[i % COLOURS.length],
    }));
    if (card) {
      card.dataset.points = String(nonZero(datasets));
      if (nonZero(datasets) === 0) empty(card);
      else
        new Chart(card.querySelector("canvas"), {
          type: "bar",
          data: { labels: days, datasets },
          options: {
            scales: {
              x: { stacked: true },
              y: {
                stacked: true,
                beginAtZero: true,
                ticks: { precision: 0 },
                title: { display: true, text: "leads" },
              },
            },
          },
        });
    }
  }

  // Trends per campaign: the five rates (left axis, %) and the cohort size (bars, right axis).
  const RATES = [
    ["reply rate %", "reply_rate_pct", "#10b981"],
    ["positive reply rate %", "positive_rate_pct", "#2563eb"],
    ["meeting rate %", "meeting_rate_pct", "#8b5cf6"],
    ["bounce rate %", "bounce_rate_pct", "#ef4444"],
    ["unsubscribe rate %", "unsubscribe_rate_pct", "#f59e0b"],
  ];
  for (const card of document.querySelectorAll('[data-section="trends"][data-chart]')) {
    const rows = (t.trends ?? [])
      .filter((r) => String(r.campaign_id) === card.dataset.campaign)
      .sort((a, b) => day(a.week).localeCompare(day(b.week)));
    const datasets = [
      ...RATES.map(([label, column, colour]) => ({
        type: "line",
        label,
        data: rows.map((r) => value(r[column])),
        borderColor: colour,
        backgroundColor: colour,
        tension: 0.25,
        spanGaps: true,
        order: 1,
      })),
      {
        type: "bar",
        label: "contacted",
        data: rows.map((r) => value(r.contacted)),
        backgroundColor: "rgba(148, 163, 184, 0.35)",
        yAxisID: "leads",
        order: 2,
      },
    ];
    card.dataset.points = String(nonZero(datasets));
    if (nonZero(datasets) === 0) {
      empty(card);
      continue;
    }
    new Chart(card.querySelector("canvas"), {
      type: "line",
      data: { labels: rows.map((r) => `week of ${day(r.week)}`), datasets },
      options: {
        scales: {
          y: { beginAtZero: true, title: { display: true, text: "% of contacted" } },
          leads: {
            position: "right",
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            title: { display: true, text: "leads contacted" },
          },
        },
      },
    });
  }
})();
