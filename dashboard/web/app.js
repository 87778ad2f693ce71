// app.js runs the dashboard's pages: it polls the JSON API every two
// seconds and redraws what changed.
"use strict";
(function () {
  var POLL_MS = 2000;
  var fmt = HPCharts.fmt;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(url + ": " + r.status + " " + t); });
      return r.json();
    });
  }
  function getText(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(url + ": " + r.status + " " + t); });
      return r.text();
    });
  }
  function poll(fn) {
    var run = function () { fn().catch(function (e) { showError(e); }).then(function () { setTimeout(run, POLL_MS); }); };
    run();
  }
  function showError(e) {
    var u = document.getElementById("updated");
    u.textContent = "update failed: " + e.message;
  }
  function updated() {
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  }
  function counts(t) {
    return t.complete + " complete, " + t.pruned + " pruned, " + t.failed + " failed, " + t.running + " running";
  }

  // The study list.
  function index() {
    var main = document.getElementById("main");
    var table = el("table", { id: "studies" });
    main.appendChild(table);
    poll(function () {
      return get("/api/studies").then(function (studies) {
        table.textContent = "";
        table.appendChild(el("tr", {}, ["study", "state", "metric", "best", "trials", "cost", "elapsed", "directory"].map(function (h) { return el("th", { text: h }); })));
        studies.forEach(function (s) {
          var link = el("a", { href: "/study/" + s.id, text: s.name || "(unreadable)" });
          table.appendChild(el("tr", { "data-id": s.id }, [el("td", {}, [link]), el("td", { text: s.error ? s.error : s.state }),
            el("td", { text: (s.metric || "") + (s.direction ? " (" + s.direction + ")" : "") }),
            el("td", { class: "num", text: s.best ? fmt(s.best.score) + " (trial " + s.best.trial + ", " + s.best.model + ")" : "" }),
            el("td", { class: "counts", text: s.error ? "" : counts(s.trials) }),
            el("td", { class: "num", text: "$" + fmt(s.cost_usd) }), el("td", { class: "num", text: HPCharts.seconds(s.wall_seconds) }),
            el("td", { text: s.dir })]));
        });
        updated();
      });
    });
  }

  // One study: summary, charts, trial table.
  function study() {
    var id = location.pathname.split("/")[2];
    var main = document.getElementById("main");
    var summary = el("div", { id: "summary", class: "counts" });
    var grid = el("div", { class: "grid", id: "charts" });
    var slices = el("div", { class: "grid", id: "slices" });
    main.appendChild(summary);
    main.appendChild(grid);
    var charts = {}, pair = null, paramNames = "", last = null, fetched = null;
    function card(parent, chartId, title, extra) {
      var c = el("div", { class: "card" }, [el("h2", { text: title })]);
      if (extra) c.appendChild(extra);
      var div = el("div", { class: "chart", id: "chart-" + chartId, "data-chart": chartId });
      c.appendChild(div);
      parent.appendChild(c);
      charts[chartId] = echarts.init(div, null, { renderer: "canvas" });
    }
    function note(chartId) { return el("p", { class: "muted note", id: chartId + "-method", "data-note": chartId }); }
    var pairX = el("select", { id: "pair-x" }), pairY = el("select", { id: "pair-y" });
    var pairControls = el("div", {}, [el("span", { class: "controls" }, [el("span", { text: "x" }), pairX, el("span", { text: "y" }), pairY]), note("contour")]);
    [pairX, pairY].forEach(function (s, k) { s.addEventListener("change", function () { pair[k] = +s.value; fetched = null; draw(last); }); });
    card(grid, "history-trials", "Best value over trials");
    card(grid, "history-time", "Best value over time");
    card(grid, "parallel", "Parallel coordinates (complete trials)");
    card(grid, "contour", "Contour: predicted score over a pair", pairControls);
    card(grid, "intermediate", "Intermediate values and rungs (pruned dashed)");
    card(grid, "families", "Scores per model family");
    card(grid, "importance", "Parameter importance (binned fANOVA)", note("importance"));
    card(grid, "forest-importance", "Parameter importance (random forest, permutation)", note("forest-importance"));
    card(grid, "timeline", "Timeline per worker or Lambda environment (black edge: cold start)", note("timeline"));
    card(grid, "concurrency", "Concurrency over time (every trial)");
    card(grid, "cost", "Cost over time");
    main.appendChild(el("h2", { text: "Slices" }));
    main.appendChild(slices);
    main.appendChild(el("h2", { text: "Trials" }));
    var tableView = trialTable(id);
    main.appendChild(tableView.node);
    window.addEventListener("resize", function () { for (var k in charts) charts[k].resize(); });

    // contourFor returns the contour of the chosen pair: one of d's, or
    // fetched from the server (again after each poll, as the study grows).
    function contourFor(d) {
      if (!pair) return Promise.resolve({ ct: null, why: HPCharts.noContour(d) });
      if (pair[0] === pair[1]) return Promise.resolve({ ct: null, why: "choose two different parameters" });
      var ct = HPCharts.contourOf(d, pair[0], pair[1]);
      if (ct) return Promise.resolve({ ct: ct });
      var key = pair.join(",");
      if (fetched && fetched.key === key && fetched.d === d) return Promise.resolve(fetched.res);
      var url = "/api/studies/" + id + "/contour?x=" + encodeURIComponent(d.params[pair[0]].name) + "&y=" + encodeURIComponent(d.params[pair[1]].name);
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json().then(function (c) { return { ct: c }; }) : r.text().then(function (t) { return { ct: null, why: t.trim() }; });
      }).then(function (res) { fetched = { key: key, d: d, res: res }; return res; });
    }
    function draw(d) {
      if (!d) return Promise.resolve();
      var names = d.params.map(function (p) { return p.name; }).join(",");
      if (names !== paramNames) {
        paramNames = names;
        slices.textContent = "";
        for (var k in charts) if (k.indexOf("slice-") === 0) { charts[k].dispose(); delete charts[k]; }
        d.params.forEach(function (p, i) { card(slices, "slice-" + i, "Slice: " + p.name); });
        var numeric = [];
        d.params.forEach(function (p, i) { if (p.kind === "number") numeric.push(i); });
        var first = (d.contours || [])[0];
        pair = first ? [first.x, first.y] : numeric.length > 1 ? [numeric[0], numeric[1]] : null;
        [pairX, pairY].forEach(function (s, k) {
          s.textContent = "";
          numeric.forEach(function (i) { s.appendChild(el("option", { value: String(i), text: d.params[i].name })); });
          if (pair) s.value = String(pair[k]);
        });
      }
      return contourFor(d).then(function (res) {
        if (d !== last) return;
        var opts = HPCharts.all(d, res.ct, res.why);
        for (var c in opts) if (charts[c]) charts[c].setOption(opts[c], true);
        var notes = HPCharts.notes(d, res.ct), nodes = main.querySelectorAll("[data-note]");
        for (var i = 0; i < nodes.length; i++) nodes[i].textContent = notes[nodes[i].getAttribute("data-note")] || "";
        // How many times the charts were drawn, for tests and benchmarks.
        grid.setAttribute("data-drawn", String(+(grid.getAttribute("data-drawn") || 0) + 1));
      });
    }
    // Charts are drawn again only when the study's JSON changed: a
    // 100,000-trial study's charts cost the browser a second or more.
    var lastText = "";
    poll(function () {
      return getText("/api/studies/" + id).then(function (text) {
        if (text === lastText) return tableView.refresh().then(updated);
        lastText = text;
        var d = JSON.parse(text);
        last = d;
        var s = d.summary;
        document.getElementById("title").textContent = s.name + " (" + s.state + ")";
        summary.textContent = "";
        [["state", s.state + (s.stop_reason ? ": " + s.stop_reason : "")], ["best", s.best ? fmt(s.best.score) + " (trial " + s.best.trial + ")" : "none yet"],
          ["complete", s.trials.complete], ["pruned", s.trials.pruned], ["failed", s.trials.failed], ["running", s.trials.running],
          ["cost", "$" + fmt(s.cost_usd)], ["elapsed", HPCharts.seconds(s.wall_seconds)],
          ["charts show", d.sampled + " of " + d.total + " trials"]].forEach(function (kv) {
          summary.appendChild(el("span", { id: "count-" + kv[0].replace(" ", "-"), text: kv[0] + ": " + kv[1] }));
        });
        return Promise.all([draw(d), tableView.refresh()]).then(updated);
      });
    });
  }

  // trialTable is the sortable, filterable trial table; sorting,
  // filtering and paging happen on the server.
  function trialTable(id) {
    var state = { sort: "number", order: "asc", state: "", q: "", offset: 0, limit: 50 };
    var filter = el("input", { id: "filter", type: "search", placeholder: "filter: model, param=value, error…" });
    var stateSel = el("select", { id: "state-filter" }, ["", "complete", "pruned", "failed", "running"].map(function (s) { return el("option", { value: s, text: s || "any state" }); }));
    var prev = el("button", { id: "prev", text: "◀" }), next = el("button", { id: "next", text: "▶" }), info = el("span", { id: "table-info", class: "muted" });
    var table = el("table", { id: "trials" });
    var node = el("div", {}, [el("div", { class: "controls" }, [filter, stateSel, prev, next, info]), table]);
    var timer = null;
    filter.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { state.q = filter.value; state.offset = 0; refresh(); }, 200); });
    stateSel.addEventListener("change", function () { state.state = stateSel.value; state.offset = 0; refresh(); });
    prev.addEventListener("click", function () { state.offset = Math.max(0, state.offset - state.limit); refresh(); });
    next.addEventListener("click", function () { state.offset += state.limit; refresh(); });
    var seq = 0;
    function refresh() {
      var my = ++seq;
      var qs = Object.keys(state).map(function (k) { return k + "=" + encodeURIComponent(state[k]); }).join("&");
      return get("/api/studies/" + id + "/trials?" + qs).then(function (page) {
        if (my !== seq) return;
        render(page);
      });
    }
    function render(page) {
      var params = {};
      page.rows.forEach(function (r) { for (var k in r.params) params[k] = true; });
      var cols = [["number", "#"], ["state", "state"], ["model", "model"], ["score", "score"], ["seconds", "seconds"]];
      Object.keys(params).sort().forEach(function (p) { cols.push(["param:" + p, p]); });
      table.textContent = "";
      table.appendChild(el("tr", {}, cols.map(function (c) {
        var th = el("th", { "data-sort": c[0], text: c[1] });
        if (state.sort === c[0]) th.className = "sorted-" + state.order;
        th.addEventListener("click", function () {
          state.order = state.sort === c[0] && state.order === "asc" ? "desc" : "asc";
          state.sort = c[0]; state.offset = 0; refresh();
        });
        return th;
      })));
      page.rows.forEach(function (r) {
        var tds = [el("td", { class: "num" }, [el("a", { href: "/study/" + id + "/trial/" + r.number, text: String(r.number) })]),
          el("td", { class: "state-" + r.state, text: r.state }), el("td", { text: r.model }),
          el("td", { class: "num", text: r.score === null ? "" : fmt(r.score) }), el("td", { class: "num", text: fmt(r.seconds) })];
        cols.slice(5).forEach(function (c) { tds.push(el("td", { class: "num", text: r.params[c[1]] || "" })); });
        table.appendChild(el("tr", { "data-number": String(r.number) }, tds));
      });
      info.textContent = page.total === 0 ? "no trials" : (page.offset + 1) + "–" + (page.offset + page.rows.length) + " of " + page.total;
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + page.rows.length >= page.total;
    }
    return { node: node, refresh: refresh };
  }

  // One trial: parameters, folds, error, log tail and Lambda figures.
  function trialPage() {
    var parts = location.pathname.split("/"), id = parts[2], n = parts[4];
    var main = document.getElementById("main");
    document.getElementById("title").textContent = "trial " + n;
    main.appendChild(el("p", {}, [el("a", { href: "/study/" + id, text: "back to the study" })]));
    var body = el("div", { id: "trial" });
    main.appendChild(body);
    poll(function () {
      return get("/api/studies/" + id + "/trials/" + n).then(function (d) {
        body.textContent = "";
        body.appendChild(el("p", { id: "trial-state", class: "state-" + d.state, text: "state: " + d.state }));
        d.results.forEach(function (r, i) {
          var rows = [["model", r.model], ["state", r.state], ["score", r.score === null ? "" : fmt(r.score)], ["seed", String(r.seed)],
            ["seconds", fmt(r.seconds)], ["folds", (r.fold_scores || []).map(fmt).join(", ")]];
          if (r.budget && r.budget.name) rows.push(["budget", r.budget.name + " = " + fmt(r.budget.value) + " (rung " + (r.budget.rung || 0) + ")"]);
          for (var p in r.params) rows.push(["param " + p, String(r.params[p])]);
          for (var b in r.backend || {}) rows.push(["lambda " + b, fmt(r.backend[b])]);
          body.appendChild(el("h2", { text: "result " + (i + 1) }));
          body.appendChild(el("table", { class: "kv" }, rows.map(function (kv) { return el("tr", {}, [el("th", { text: kv[0] }), el("td", { text: kv[1] })]); })));
          if (r.error) body.appendChild(el("pre", { class: "error", text: r.error }));
        });
        if (d.log_tail) { body.appendChild(el("h2", { text: d.log_file ? "log tail (" + d.log_file + ")" : "log tail (error)" })); body.appendChild(el("pre", { text: d.log_tail })); }
        updated();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.getAttribute("data-page");
    if (page === "index") index(); else if (page === "study") study(); else if (page === "trial") trialPage();
  });
})();
