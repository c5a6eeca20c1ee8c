// The pages' behaviour: plots through plotly (served by this server), polling the JSON API.
// Every string from the server or the address bar reaches the page as text (textContent,
// or escaped for plotly's labels, which read a few HTML tags); the write token lives only
// in the page's form field, never in storage a script could read later.
const autost = (() => {
  const enc = encodeURIComponent;

  // plotly draws a trace name, hover text or axis title as HTML-like markup: escape it
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function note(div, message, cls) {
    const p = document.createElement("p");
    p.className = cls || "muted";
    p.textContent = message;
    div.replaceChildren(p);
  }

  async function getJSON(url) {
    const r = await fetch(url);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }

  function query(objectives, extra) {
    const q = new URLSearchParams(extra || {});
    objectives.filter(Boolean).forEach(o => q.append("objective", o));
    return q.toString();
  }

  function axis(spec, units) {
    const name = spec.split(":")[0];
    return { title: { text: plain(`${name} [${units[name] || ""}] (${spec.split(":")[1]})`) } };
  }

  function trace(rows, objectives, label, style) {
    const names = objectives.map(o => o.split(":")[0]);
    const col = i => rows.map(r => r.scores[names[i]]);
    const t = {
      name: plain(label), mode: style.mode, x: col(0), y: col(1),
      customdata: rows.map(r => r.arch_id),
      hovertext: rows.map(r => [`trial ${r.trial}: ${r.summary}`,
        ...names.map(n => `${n} = ${Number(r.scores[n]).toPrecision(4)}`)].map(plain).join("<br>")),
      hoverinfo: "text", marker: style.marker, line: style.line,
    };
    if (names.length === 3) { t.type = "scatter3d"; t.z = col(2); } else { t.type = "scatter"; }
    return t;
  }

  function layout(doc) {
    const l = { margin: { t: 40 }, hovermode: "closest",
                legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } };
    if (doc.objectives.length === 3) {
      l.scene = { xaxis: axis(doc.objectives[0], doc.units), yaxis: axis(doc.objectives[1], doc.units),
                  zaxis: axis(doc.objectives[2], doc.units) };
    } else {
      l.xaxis = axis(doc.objectives[0], doc.units); l.yaxis = axis(doc.objectives[1], doc.units);
    }
    return l;
  }

  function openOnClick(div) {
    div.on("plotly_click", ev => {
      const id = ev.points[0].customdata;
      if (id) window.location.href = "/candidates/" + id;
    });
  }

  async function drawFront(name, objectives) {
    const div = document.getElementById("front");
    let doc;
    try {
      doc = await getJSON(`/api/studies/${enc(name)}/pareto?` + query(objectives, { cloud: 2000 }));
    } catch (e) {
      if (div.dataset.ready) { Plotly.purge(div); delete div.dataset.ready; delete div.dataset.clickable; }
      note(div, e.message);
      return;
    }
    const traces = [
      trace(doc.cloud, doc.objectives, `other candidates (${doc.candidates - doc.rows.length} of ` +
            `${doc.candidates}, up to 2000 drawn)`, { mode: "markers", marker: { color: "#9aa5b8", size: 5 } }),
      trace(doc.rows, doc.objectives, `Pareto front (${doc.rows.length})`,
            { mode: doc.objectives.length === 2 ? "lines+markers" : "markers",
              marker: { color: "#d1495b", size: 9 }, line: { shape: "hv" } }),
    ];
    if (!div.dataset.ready) div.replaceChildren();
    await Plotly.react(div, traces, layout(doc), { responsive: true });
    if (!div.dataset.clickable) { openOnClick(div); div.dataset.clickable = "1"; }
    div.dataset.ready = "1";
  }

  function showProgress(p) {
    const el = document.getElementById("progress");
    el.textContent = `${p.complete} / ${p.budget ?? "?"} complete (${p.feasible} feasible, ` +
      `${p.infeasible} infeasible), ${p.running} running, ${p.failed} failed`;
  }

  async function refreshTable(name) {
    const params = new URLSearchParams(window.location.search);
    params.delete("objective");
    const r = await fetch(`/studies/${enc(name)}/table?` + params.toString());
    // the table is HTML rendered by this server with Jinja's autoescape: every value in it
    // is escaped text, and the page's Content-Security-Policy runs no inline script
    if (r.ok) document.getElementById("table").innerHTML = await r.text();
  }

  // draw(doc) into div from the JSON at url; an error (too few trials, ...) shown as text
  async function plotFrom(id, url, draw) {
    const div = document.getElementById(id);
    let doc;
    try { doc = await getJSON(url); } catch (e) { note(div, e.message); return; }
    const drawn = draw(doc);
    if (typeof drawn === "string") { note(div, drawn); return; }
    div.replaceChildren();
    await Plotly.newPlot(div, drawn.traces, { margin: { t: 30 }, ...drawn.layout },
                         { responsive: true });
    div.dataset.ready = "1";
  }

  function history(doc) {
    const traces = [];
    Object.entries(doc.series).forEach(([spec, s], i) => {
      const axis = i ? { yaxis: `y${i + 1}` } : {};
      traces.push({ type: "scatter", mode: "markers", name: plain(spec), x: doc.trials,
                    y: s.values, ...axis, marker: { size: 6 } });
      traces.push({ type: "scatter", mode: "lines", name: plain(`best ${spec}`), x: doc.trials,
                    y: s.best, ...axis, line: { shape: "hv" } });
    });
    if (!doc.trials.length) return "no feasible complete trial yet";
    const specs = Object.keys(doc.series);
    const layout = { xaxis: { title: { text: "trial" } },
                     yaxis: { title: { text: plain(specs[0] || "") } } };
    if (specs[1]) layout.yaxis2 = { title: { text: plain(specs[1]) }, overlaying: "y", side: "right" };
    return { traces, layout };
  }

  function importance(doc) {
    const rows = doc.importance.slice().reverse();
    return { traces: [{ type: "bar", orientation: "h", x: rows.map(r => r.importance),
                        y: rows.map(r => plain(r.param)), marker: { color: "#30638e" } }],
             layout: { margin: { t: 30, l: 160 }, title: { text: plain(
               `${doc.objective}, ${doc.trials} feasible trials`), font: { size: 12 } } } };
  }

  // parallel coordinates as plain SVG lines (plotly's parcoords needs WebGL through code
  // that the page's CSP, without 'unsafe-eval', does not run): one polyline per trial over
  // axes scaled to [0, 1], each axis labelled with its range
  function parallel(doc) {
    if (!doc.trials.length) return "no feasible complete trial yet";
    const mixers = [...new Set(doc.mixers)];
    const specs = Object.keys(doc.objectives);
    const dims = [["depth", doc.depth], ["width", doc.width], ["time steps", doc.timesteps],
                  ["mixers", doc.mixers.map(m => mixers.indexOf(m))],
                  ...specs.map(spec => [spec, doc.objectives[spec]])];
    const ranges = dims.map(([, v]) => [Math.min(...v), Math.max(...v)]);
    const scaled = (i, v) => ranges[i][1] > ranges[i][0] ?
      (v - ranges[i][0]) / (ranges[i][1] - ranges[i][0]) : 0.5;
    const x = [], y = [], color = [], text = [];
    doc.trials.forEach((trial, t) => {
      dims.forEach(([, v], i) => { x.push(i); y.push(scaled(i, v[t]));
        color.push(specs.length ? doc.objectives[specs[0]][t] : doc.depth[t]);
        text.push(plain(`trial ${trial}`)); });
      x.push(null); y.push(null); color.push(null); text.push("");
    });
    const label = (i, v) => i === 3 ? mixers[v] : Number(v).toPrecision(3);
    const annotations = dims.flatMap(([, v], i) => [0, 1].map(end => ({
      x: i, y: end, yshift: end ? 12 : -12, showarrow: false, font: { size: 10 },
      text: plain(label(i, ranges[i][end])) })));
    return { traces: [{ type: "scatter", mode: "lines+markers", x, y, text, hoverinfo: "text",
                        connectgaps: false, line: { color: "rgba(48,99,142,0.35)" },
                        marker: { color, colorscale: "Viridis", size: 6, showscale: true } }],
             layout: { margin: { t: 40, b: 60 }, showlegend: false, annotations,
                       xaxis: { tickvals: dims.map((_, i) => i),
                                ticktext: dims.map(([n]) => plain(n)), zeroline: false },
                       yaxis: { visible: false, range: [-0.12, 1.12] } } };
  }

  function accuracyPlot(name) {
    const select = document.getElementById("accuracy-x");
    let loaded = null;
    const draw = doc => {
      if (!doc.points.length) return "no trained candidate yet: `autost train` stores accuracies";
      const x = select.value || doc.names[0];
      return { traces: [{ type: "scatter", mode: "markers", x: doc.points.map(p => p.scores[x]),
                          y: doc.points.map(p => p.accuracy), customdata: doc.points.map(p => p.arch_id),
                          hovertext: doc.points.map(p => plain(`trial ${p.trial}: ${p.summary}`)),
                          hoverinfo: "text+x+y", marker: { size: 9, color: "#d1495b" } }],
               layout: { xaxis: { title: { text: plain(x) } },
                         yaxis: { title: { text: "accuracy (%)" } } } };
    };
    const url = `/api/studies/${enc(name)}/accuracy`;
    plotFrom("accuracy", url, doc => {
      if (!loaded) {
        loaded = doc;
        doc.names.forEach(n => { const o = document.createElement("option");
                                 o.value = n; o.textContent = n; select.append(o); });
      }
      return draw(doc);
    });
    select.addEventListener("change", () => plotFrom("accuracy", url, draw));
  }

  function analyses(name) {
    plotFrom("history", `/api/studies/${enc(name)}/history`, history);
    plotFrom("importance", `/api/studies/${enc(name)}/importance`, importance);
    plotFrom("parallel", `/api/studies/${enc(name)}/parallel`, parallel);
    accuracyPlot(name);
  }

  function studyPage({ name, objectives, progress }) {
    showProgress(progress);
    drawFront(name, objectives);
    analyses(name);
    let last = progress.trials + ":" + progress.complete + ":" + progress.running;
    setInterval(async () => {
      let doc;
      try { doc = await getJSON(`/api/studies/${enc(name)}`); } catch (e) { return; }
      showProgress(doc.progress);
      const now = doc.progress.trials + ":" + doc.progress.complete + ":" + doc.progress.running;
      if (now !== last) { last = now; drawFront(name, objectives); refreshTable(name); }
    }, 2000);
  }

  function trainingCurves(trainings) {
    const div = document.getElementById("curves");
    const traces = trainings.filter(t => t.history && t.history.length).map(t => ({
      type: "scatter", mode: "lines+markers", x: t.history.map(h => h.epoch),
      y: t.history.map(h => h.val_accuracy),
      name: plain(`training ${t.id}: ${t.dataset}, ${t.status}`) }));
    if (!div) return;
    if (!traces.length) { note(div, "no training stored its per-epoch history"); return; }
    Plotly.newPlot(div, traces, { margin: { t: 30 }, xaxis: { title: { text: "epoch" } },
                                  yaxis: { title: { text: "validation accuracy (%)" } } },
                   { responsive: true }).then(() => { div.dataset.ready = "1"; });
  }

  function candidatePage({ layers: charts, trainings }) {
    trainingCurves(trainings || []);
    charts.forEach((c, i) => {
      const traces = [{ type: "bar", name: "MACs (total over T)", x: c.names, y: c.macs,
                        marker: { color: "#30638e" } }];
      const l = { margin: { t: 40, b: 160 }, barmode: "group",
                  legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
                  yaxis: { title: { text: "MACs per image, total over T" } } };
      if (c.energy) {
        traces.push({ type: "bar", name: `energy (mJ, ${c.rate_source} rates)`, x: c.names,
                      y: c.energy, yaxis: "y2", marker: { color: "#d1495b" } });
        l.yaxis2 = { title: { text: "mJ per image" }, overlaying: "y", side: "right" };
        traces[0].offsetgroup = 1; traces[1].offsetgroup = 2;
      }
      Plotly.newPlot(`layers-${i}`, traces, l, { responsive: true });
    });
  }

  async function comparePage({ studies, objectives }) {
    if (!studies.length) return;
    const div = document.getElementById("compare");
    const errors = document.getElementById("compare-errors");
    const notes = document.getElementById("compare-notes");
    const traces = []; let doc0 = null;
    for (const s of studies) {
      try {
        const doc = await getJSON(`/api/studies/${enc(s)}/pareto?` + query(objectives));
        doc0 = doc0 || doc;
        traces.push(trace(doc.rows, doc.objectives, `${s} (${doc.rows.length} of ${doc.candidates})`,
                          { mode: "lines+markers", marker: { size: 8 }, line: { shape: "hv" } }));
        const lacking = Object.entries(doc.lacking).map(([n, k]) => `${k} lack ${n}`);
        if (lacking.length) {
          notes.textContent += `${s}: ${doc.feasible - doc.candidates} of ${doc.feasible} ` +
            `feasible candidates are not drawn (${lacking.join(", ")}).\n`;
        }
      } catch (e) { errors.textContent += `${s}: ${e.message}\n`; }
    }
    if (doc0) { await Plotly.newPlot(div, traces, layout(doc0), { responsive: true }); openOnClick(div); }
  }

  function submitPage() {
    const form = document.getElementById("submit-form");
    const token = document.getElementById("token");
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const v = id => document.getElementById(id).value.trim();
      const body = { budget: Number(v("budget")) };
      const file = document.getElementById("space-file").files[0];
      if (file) body.space_toml = await file.text(); else if (v("space")) body.space = v("space");
      if (v("objectives")) body.objectives = v("objectives").split(",").map(s => s.trim()).filter(Boolean);
      if (v("max_params")) body.constraints = { max_params: v("max_params") };
      for (const k of ["sampler", "study", "rates", "submitter"]) if (v(k)) body[k] = v(k);
      if (v("seed")) body.seed = Number(v("seed"));
      const r = await fetch("/api/searches", { method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token.value } });
      const doc = await r.json();
      if (!r.ok) { document.getElementById("submit-error").textContent = doc.error; return; }
      window.location.href = "/jobs/" + doc.id;
    });
  }

  function jobPage({ id }) {
    const finished = ["done", "failed", "cancelled", "interrupted"];
    const timer = setInterval(async () => {
      let job;
      try { job = await getJSON(`/api/jobs/${id}`); } catch (e) { return; }
      const status = document.getElementById("job-status");
      status.textContent = job.status; status.className = "status-" + job.status;
      document.getElementById("job-log").textContent = job.log_tail;
      document.getElementById("job-error").textContent = job.error || "";
      if (finished.includes(job.status)) clearInterval(timer);
    }, 1000);
    document.getElementById("cancel-button").addEventListener("click", async () => {
      const token = document.getElementById("token").value.trim();
      const r = await fetch(`/api/jobs/${id}`, { method: "DELETE",
        headers: { Authorization: "Bearer " + token } });
      if (!r.ok) document.getElementById("cancel-error").textContent = (await r.json()).error;
    });
  }

  // a table's rows as they are shown (sorted, filtered) as CSV text, RFC 4180 quoting
  function tableCsv(table) {
    const cell = td => {
      const text = td.textContent.trim();
      return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    };
    return Array.from(table.rows)
      .filter(row => row.style.display !== "none")
      .map(row => Array.from(row.cells).map(cell).join(",")).join("\n") + "\n";
  }

  // every table gets a "CSV" link that downloads what it shows (the study's trial table
  // has the server's CSV of every trial instead)
  function csvLinks() {
    document.querySelectorAll("table").forEach((table, i) => {
      if (table.id === "top") return;
      const link = document.createElement("a");
      link.className = "csv";
      link.textContent = "CSV";
      link.download = (table.id || "table-" + (i + 1)) + ".csv";
      link.href = "#";
      link.addEventListener("click", () => {
        link.href = URL.createObjectURL(new Blob([tableCsv(table)], { type: "text/csv" }));
      });
      table.before(link);
    });
  }

  const pages = { study: studyPage, candidate: candidatePage, compare: comparePage,
                  submit: submitPage, job: jobPage };

  // each page names itself and its data in a JSON block (no inline script: see the CSP)
  document.addEventListener("DOMContentLoaded", () => {
    csvLinks();
    const args = JSON.parse(document.getElementById("page-args").textContent);
    if (args && pages[args.page]) pages[args.page](args);
  });
  return { ...pages, tableCsv };
})();
