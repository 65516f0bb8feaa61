// The local report's charts (runs in the browser; inlined into the HTML by engine/src/report/html.ts).
// Data comes from the JSON block #report-data; Chart.js is inlined before this script. Each chart's
// card gets data-points (how many non-empty values it drew) so the headless-Chromium test can check
// that every chart has data; a chart with none shows a note instead of an empty frame.
(() => {
  const report = JSON.parse(document.getElementById("report-data").textContent);
  const t = report.tables;
  const SEGMENT_COLOURS = ["#2563eb", "#f59e0b", "#10b981", "#ec4899", "#8b5cf6", "#06b6d4"];
  const PALETTE = [
    "#2563eb",
    "#f59e0b",
    "#10b981",
    "#ef4444",
    "#8b5cf6",
    "#06b6d4",
    "#ec4899",
    "#84cc16",
    "#f97316",
    "#64748b",
    "#14b8a6",
    "#a855f7",
  ];
  const RESULT_COLOURS = {
    verified: "#10b981",
    invalid: "#ef4444",
    catch_all: "#f59e0b",
    pending: "#94a3b8",
  };

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#334155";
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.position = "bottom";

  const day = (v) => (v === null || v === undefined ? "undated" : String(v).slice(0, 10));
  const stamp = (v) => (v ? `${String(v).slice(5, 10)} ${String(v).slice(11, 16)}` : "");
  const num = (v) => (v === null || v === undefined ? 0 : Number(v));
  const uniq = (values) => [...new Set(values)];
  const sortDays = (days) =>
    days.sort((a, b) => (a === "undated" ? -1 : b === "undated" ? 1 : a.localeCompare(b)));
  const segments = (rows) => uniq(rows.map((r) => r.segment ?? "unrouted")).sort();
  const segmentColour = (s, i) =>
    s === "unrouted" ? "#94a3b8" : SEGMENT_COLOURS[i % SEGMENT_COLOURS.length];
  const sumWhere = (rows, pred, col) => rows.filter(pred).reduce((n, r) => n + num(r[col]), 0);
  const alpha = (hex, a) =>
    `rgba(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)}, ${a})`;

  /** A dashed horizontal line across the plot at options.plugins.guardLine.value (the bounce guard). */
  const guardLine = {
    id: "guardLine",
    afterDatasetsDraw(chart, _args, opts) {
      if (opts?.value === undefined || opts.value === null) return;
      const y = chart.scales.y.getPixelForValue(opts.value);
      const { left, right } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#dc2626";
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#dc2626";
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.fillText(opts.label, left + 4, y - 5);
      ctx.restore();
    },
  };

  function draw(id, config) {
    const card = document.querySelector(`[data-chart="${id}"]`);
    if (!card) return;
    const points = config.data.datasets.reduce(
      (n, ds) => n + ds.data.filter((v) => v !== null && v !== undefined && Number(v) !== 0).length,
      0,
    );
    card.dataset.points = String(points);
    if (points === 0) {
      card.querySelector(".chart").innerHTML =
        '<p class="empty">No data yet: run the pipeline, then the report again.</p>';
      return;
    }
    new Chart(card.querySelector("canvas"), config);
  }

  // Daily funnel per segment: adds and drains as bars (a stack each), replies and bounces as lines.
  {
    const rows = t.funnel;
    const days = sortDays(uniq(rows.map((r) => day(r.day))));
    const segs = segments(rows);
    const per = (seg, col) =>
      days.map((d) => sumWhere(rows, (r) => day(r.day) === d && (r.segment ?? "unrouted") === seg, col));
    const all = (col) => days.map((d) => sumWhere(rows, (r) => day(r.day) === d, col));
    const datasets = [];
    segs.forEach((s, i) => {
      const c = segmentColour(s, i);
      datasets.push({
        type: "bar",
        label: `added · ${s}`,
        data: per(s, "added"),
        backgroundColor: c,
        stack: "added",
        order: 2,
      });
      datasets.push({
        type: "bar",
        label: `drained · ${s}`,
        data: per(s, "drained"),
        backgroundColor: alpha(c, 0.35),
        borderColor: c,
        borderWidth: 1,
        stack: "drained",
        order: 2,
      });
    });
    datasets.push({
      type: "line",
      label: "replies",
      data: all("replies"),
      borderColor: "#16a34a",
      backgroundColor: "#16a34a",
      order: 1,
      tension: 0.3,
    });
    datasets.push({
      type: "line",
      label: "bounces",
      data: all("bounces"),
      borderColor: "#dc2626",
      backgroundColor: "#dc2626",
      order: 1,
      tension: 0.3,
    });
    draw("funnel", {
      type: "bar",
      data: { labels: days, datasets },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "leads" } },
        },
      },
    });
  }

  // Why leads were drained: per day, stacked by drain reason.
  {
    const rows = t.funnel;
    const days = sortDays(uniq(rows.map((r) => day(r.day))));
    const reasons = uniq(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith("drained_"))))
      .filter((k) => sumWhere(rows, () => true, k) > 0)
      .sort();
    draw("drain-reasons", {
      type: "bar",
      data: {
        labels: days,
        datasets: reasons.map((k, i) => ({
          label: k.slice("drained_".length).replace(/_/g, " "),
          data: days.map((d) => sumWhere(rows, (r) => day(r.day) === d, k)),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
  }

  // Capacity over time: leads held per managed campaign at each pull, stacked, against the cap.
  {
    const rows = [...t.capacity].sort((a, b) => String(a.pulled_at).localeCompare(String(b.pulled_at)));
    const pulls = uniq(rows.map((r) => r.run_id));
    const labels = pulls.map((id) => stamp(rows.find((r) => r.run_id === id)?.pulled_at));
    const segs = segments(rows);
    const datasets = segs.map((s, i) => ({
      label: `held · ${s}`,
      data: pulls.map((id) =>
        sumWhere(rows, (r) => r.run_id === id && (r.segment ?? "unrouted") === s, "leads_held"),
      ),
      borderColor: segmentColour(s, i),
      backgroundColor: alpha(segmentColour(s, i), 0.3),
      fill: i === 0 ? "origin" : "-1", // each area fills down to the one below it
      stack: "held",
      tension: 0.25,
    }));
    // The axis follows the leads held: a 415-lead inventory under a 24,000 cap is a line, not a flat
    // stripe at the bottom. The cap is drawn only when it is in range (within 1.5 x the peak held).
    const cap = Math.max(0, ...rows.map((r) => num(r.inventory_cap)));
    const peak = Math.max(0, ...pulls.map((id) => sumWhere(rows, (r) => r.run_id === id, "leads_held")));
    const capInRange = cap > 0 && cap <= 1.5 * peak;
    const capText =
      cap > 0 && !capInRange
        ? `inventory cap ${cap.toLocaleString("en-US")} is off the axis (peak ${peak.toLocaleString("en-US")} held)`
        : "";
    draw("capacity", {
      type: "line",
      data: { labels, datasets },
      options: {
        scales: {
          y: {
            stacked: true,
            beginAtZero: true,
            ...(capInRange ? { suggestedMax: cap * 1.05 } : {}),
            title: { display: true, text: "leads" },
          },
        },
        plugins: {
          subtitle: { display: capText !== "", text: capText, color: "#64748b" },
          guardLine: capInRange ? { value: cap, label: `inventory cap ${cap.toLocaleString("en-US")}` } : {},
        },
      },
      plugins: [guardLine],
    });
  }

  // Campaign health: bounce, reply and unsubscribe rates per campaign, with the bounce guard line.
  {
    const rows = t.campaigns.filter((r) => r.is_managed !== false);
    const labels = rows.map((r) => `${r.segment ?? "?"} · ${r.campaign_name ?? r.campaign_id}`);
    const rate = (col) => rows.map((r) => Math.round(num(r[col]) * 100) / 100);
    draw("campaigns", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "bounce rate %", data: rate("bounce_rate_pct"), backgroundColor: "#ef4444" },
          { label: "reply rate %", data: rate("reply_rate_pct"), backgroundColor: "#10b981" },
          { label: "unsubscribe rate %", data: rate("unsubscribe_rate_pct"), backgroundColor: "#f59e0b" },
        ],
      },
      options: {
        scales: {
          y: {
            beginAtZero: true,
            suggestedMax: report.meta.bounceBlockPct * 1.5,
            title: { display: true, text: "% of contacted" },
          },
        },
        plugins: {
          guardLine: {
            value: report.meta.bounceBlockPct,
            label: `bounce guard ${report.meta.bounceBlockPct} %: no adds above`,
          },
        },
      },
      plugins: [guardLine],
    });
  }

  // Run history: what every apply run did.
  {
    const rows = t.runs
      .filter((r) => r.mode === "apply")
      .sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)));
    const labels = rows.map((r) => stamp(r.started_at));
    const col = (c) => rows.map((r) => num(r[c]));
    draw("runs", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "added", data: col("adds_succeeded"), backgroundColor: "#2563eb" },
          { label: "drained", data: col("drains_succeeded"), backgroundColor: "#93c5fd" },
          { label: "block-listed", data: col("blocks_succeeded"), backgroundColor: "#8b5cf6" },
          { label: "rejected", data: col("rejected"), backgroundColor: "#f59e0b" },
          { label: "failed", data: col("failed"), backgroundColor: "#ef4444" },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    });
  }

  // Verification outcomes per day.
  {
    const rows = t.verification;
    const days = sortDays(uniq(rows.map((r) => day(r.day))));
    const results = uniq(rows.map((r) => r.result)).sort();
    draw("verification", {
      type: "bar",
      data: {
        labels: days,
        datasets: results.map((res, i) => ({
          label: res,
          data: days.map((d) => sumWhere(rows, (r) => day(r.day) === d && r.result === res, "checks")),
          backgroundColor: RESULT_COLOURS[res] ?? PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "checks" } },
        },
      },
    });
  }

  // Why not eligible: every lead of the pool by its first failing rule, per segment.
  {
    const rows = t.eligibility;
    const statuses = uniq(rows.map((r) => r.status));
    const total = (s) => sumWhere(rows, (r) => r.status === s, "leads");
    statuses.sort((a, b) => (a === "eligible" ? -1 : b === "eligible" ? 1 : total(b) - total(a)));
    const segs = segments(rows);
    draw("eligibility", {
      type: "bar",
      data: {
        labels: statuses.map((s) => s.replace(/_/g, " ")),
        datasets: segs.map((s, i) => ({
          label: s,
          data: statuses.map((st) =>
            sumWhere(rows, (r) => r.status === st && (r.segment ?? "unrouted") === s, "leads"),
          ),
          backgroundColor: segmentColour(s, i),
        })),
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { stacked: true, beginAtZero: true, title: { display: true, text: "leads" } },
          y: { stacked: true },
        },
      },
    });
  }

  // Suppression growth: running total per reason. Entries from long before the report's period (a
  // do-not-contact list with years of history) are summed into one "earlier" point, so the axis
  // shows the recent days where the pipeline added to the list.
  {
    const RECENT_DAYS = 14;
    const all = sortDays(uniq(t.suppression.map((r) => day(r.day))));
    const recent = new Set(all.filter((d) => d !== "undated").slice(-RECENT_DAYS));
    const bucket = (r) => (recent.has(day(r.day)) ? day(r.day) : "earlier");
    const rows = t.suppression.map((r) => ({ ...r, day: bucket(r) }));
    const days = [...(rows.some((r) => r.day === "earlier") ? ["earlier"] : []), ...[...recent]];
    const reasons = uniq(rows.map((r) => r.reason)).sort();
    draw("suppression", {
      type: "line",
      data: {
        labels: days,
        datasets: reasons.map((reason, i) => {
          let running = 0;
          return {
            label: String(reason).replace(/_/g, " "),
            data: days.map((d) => {
              running += sumWhere(rows, (r) => day(r.day) === d && r.reason === reason, "new_suppressions");
              return running;
            }),
            borderColor: PALETTE[i % PALETTE.length],
            backgroundColor: alpha(PALETTE[i % PALETTE.length], 0.25),
            fill: i === 0 ? "origin" : "-1",
            stack: "s",
            tension: 0.2,
          };
        }),
      },
      options: {
        scales: {
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "emails / domains" } },
        },
      },
    });
  }

  // Lead status (lead_status), only where the table exists.
  if (report.leadStatus) {
    const rows = report.leadStatus;
    draw("lead-status", {
      type: "bar",
      data: {
        labels: rows.map((r) => String(r.status).replace(/_/g, " ")),
        datasets: [
          {
            label: "leads",
            data: rows.map((r) => r.leads),
            backgroundColor: rows.map((_, i) => PALETTE[i % PALETTE.length]),
          },
        ],
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } } },
    });
  }

  document.body.dataset.ready = "true";
})();
