// charts.js builds the ECharts option of every chart of a study from the
// JSON of GET /api/studies/{id} (dashboard.Charts). It only computes
// options; app.js (and any page that inlines this file) draws them.
"use strict";
var HPCharts = (function () {
  var stateColor = { complete: "#1a7f37", pruned: "#bf8700", failed: "#cf222e", running: "#0969da" };
  var font = { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" };

  // esc makes text safe inside a tooltip, which ECharts renders as HTML:
  // study, model, parameter and category names come from the user.
  function esc(x) {
    return String(x).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function fmt(x) {
    if (x === null || x === undefined || !isFinite(x)) return "";
    var a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(1).replace("e+", "e");
    return String(Number(x.toPrecision(4)));
  }
  function intLabel(x) { return Math.round(x) === x ? String(x) : ""; }
  function seconds(x) {
    if (x < 120) return fmt(x) + " s";
    if (x < 7200) return fmt(x / 60) + " min";
    return fmt(x / 3600) + " h";
  }
  function empty(title) {
    return { textStyle: font, title: { text: title, left: "center", top: "middle", textStyle: { color: "#6b7785", fontSize: 14 } },
      xAxis: { show: false }, yAxis: { show: false }, series: [] };
  }
  function base(extra) {
    var o = { textStyle: font, animation: false, tooltip: { trigger: "item" },
      grid: { left: 64, right: 24, top: 36, bottom: 48, containLabel: false },
      legend: { top: 0, right: 8 } };
    for (var k in extra) o[k] = extra[k];
    return o;
  }
  // valueAxis is an axis for a parameter: log with labels at 1, 2 and 5
  // times each power of ten, category, or linear.
  function valueAxis(p, name) {
    if (p && p.kind === "category") return { type: "category", data: p.categories, name: name, nameLocation: "middle", nameGap: 30 };
    if (p && p.log) return { type: "log", logBase: 10, name: name, nameLocation: "middle", nameGap: 30,
      axisLabel: { formatter: fmt }, minorTick: { show: true, splitNumber: 9 }, minorSplitLine: { show: true, lineStyle: { color: "#f3f4f6" } } };
    return { type: "value", scale: true, name: name, nameLocation: "middle", nameGap: 30, axisLabel: { formatter: fmt } };
  }
  function byState(points, x, y) {
    var groups = {};
    points.forEach(function (p) {
      if (p.state === "failed" || p.state === "running") return;
      var xv = x(p), yv = y(p);
      if (xv === null || xv === undefined || yv === null || yv === undefined) return;
      (groups[p.state] = groups[p.state] || []).push([xv, yv, p.n]);
    });
    return Object.keys(groups).sort().map(function (s) {
      // large draws the points as one path: an element a point costs
      // ECharts a millisecond and more at 2,000 points.
      return { name: s, type: "scatter", symbolSize: 6, itemStyle: { color: stateColor[s], opacity: 0.7 }, data: groups[s], large: true, largeThreshold: 300 };
    });
  }
  function history(d, overTime) {
    if (!d.points.length) return empty("no trials have finished yet");
    var x = overTime ? function (p) { return p.t; } : function (p) { return p.n; };
    var series = byState(d.points, x, function (p) { return p.score; });
    var best = d.best_steps.map(function (b) { return [overTime ? b.t : b.n, b.score]; });
    if (best.length) {
      var last = d.points[d.points.length - 1];
      best.push([overTime ? Math.max(last.t, best[best.length - 1][0]) : Math.max(last.n, best[best.length - 1][0]), best[best.length - 1][1]]);
    }
    series.push({ name: "best", type: "line", step: "end", symbol: "none", lineStyle: { color: "#0969da", width: 2 }, data: best });
    return base({
      tooltip: { trigger: "item", formatter: function (p) { return "trial " + (p.value[2] !== undefined ? p.value[2] : "") + "<br>" + esc(d.summary.metric) + " " + fmt(p.value[1]); } },
      xAxis: overTime ? { type: "value", name: "time since start", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: seconds } }
        : { type: "value", name: "trial", nameLocation: "middle", nameGap: 30, minInterval: 1, axisLabel: { formatter: intLabel } },
      yAxis: { type: "value", scale: true, name: d.summary.metric, axisLabel: { formatter: fmt } },
      series: series });
  }
  function parallel(d) {
    var pts = d.points.filter(function (p) { return p.state === "complete"; });
    if (!pts.length || !d.params.length) return empty("no complete trials yet");
    var axes = d.params.map(function (p, i) {
      var a = { dim: i, name: p.name };
      if (p.kind === "category") { a.type = "category"; a.data = p.categories; }
      else if (p.log) { a.type = "log"; a.axisLabel = { formatter: fmt }; }
      else { a.type = "value"; a.scale = true; a.axisLabel = { formatter: fmt }; }
      return a;
    });
    var k = d.params.length;
    axes.push({ dim: k, name: d.summary.metric, type: "value", scale: true, axisLabel: { formatter: fmt } });
    var data = pts.map(function (p) {
      var row = p.v.map(function (v, i) { return v === null ? null : (d.params[i].kind === "category" ? d.params[i].categories[v] : v); });
      row.push(p.score);
      return row;
    });
    var scores = pts.map(function (p) { return p.score; });
    var lo = Math.min.apply(null, scores), hi = Math.max.apply(null, scores);
    return { textStyle: font, animation: false, parallelAxis: axes,
      parallel: { left: 48, right: 72, top: 36, bottom: 28 },
      visualMap: { show: true, type: "continuous", dimension: k, min: lo, max: hi === lo ? lo + 1 : hi, right: 0, top: "middle", itemHeight: 120,
        inRange: { color: d.summary.direction === "minimize" ? ["#0969da", "#d0d7de"] : ["#d0d7de", "#0969da"] }, text: ["", ""], formatter: fmt },
      series: [{ type: "parallel", lineStyle: { width: 1, opacity: 0.5 }, data: data }] };
  }
  function slice(d, i) {
    var p = d.params[i];
    var series = byState(d.points, function (q) {
      var v = q.v[i];
      if (v === null) return null;
      return p.kind === "category" ? p.categories[v] : v;
    }, function (q) { return q.score; });
    if (!series.length) return empty(p.name + ": no scores yet");
    return base({
      xAxis: valueAxis(p, p.name + (p.log ? " (log)" : "")),
      yAxis: { type: "value", scale: true, name: d.summary.metric, axisLabel: { formatter: fmt } }, series: series });
  }
  // mix returns the colour a fraction t along the stops (hex colours).
  function mix(stops, t) {
    var pos = Math.max(0, Math.min(1, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(pos)), f = pos - i;
    var a = stops[i], b = stops[i + 1], out = "#";
    for (var k = 1; k < 7; k += 2) {
      var v = Math.round(parseInt(a.substr(k, 2), 16) * (1 - f) + parseInt(b.substr(k, 2), 16) * f);
      out += (v < 16 ? "0" : "") + v.toString(16);
    }
    return out;
  }
  // contour draws ct (a studycharts.Contour: level bands and isolines in
  // grid units, computed on the server) over the pair's axes, with the
  // complete trials as points; why says why there is none.
  function contour(d, ct, why) {
    if (!ct) return empty(why || "no contour");
    var px = d.params[ct.x], py = d.params[ct.y], n = ct.nodes;
    function at(range, log) {
      if (log) { var l0 = Math.log10(range[0]), l1 = Math.log10(range[1]); return function (g) { return Math.pow(10, l0 + g / (n - 1) * (l1 - l0)); }; }
      return function (g) { return range[0] + g / (n - 1) * (range[1] - range[0]); };
    }
    var X = at(ct.xrange, ct.xlog), Y = at(ct.yrange, ct.ylog);
    var nb = ct.bands.length, stops = d.summary.direction === "minimize" ? ["#0969da", "#fff7bc", "#d73027"] : ["#d73027", "#fff7bc", "#0969da"];
    // One item a band, drawn as one path of all its polygons: an
    // element a polygon costs ECharts half a second at 1,500 polygons.
    var bandData = ct.bands.map(function (band, k) { return [X(0), Y(0), k]; });
    var lineData = ct.lines.map(function (segs, k) { return [X(0), Y(0), k]; });
    var pieces = [];
    for (var k = 0; k < nb; k++) pieces.push({ value: k, label: fmt(ct.levels[k]) + " – " + fmt(ct.levels[k + 1]), color: mix(stops, nb > 1 ? k / (nb - 1) : 0.5) });
    var pts = [];
    d.points.forEach(function (p) {
      if (p.state === "complete" && p.v[ct.x] !== null && p.v[ct.y] !== null) pts.push([p.v[ct.x], p.v[ct.y], p.n, p.score]);
    });
    function axis(p, range, log, gap) {
      return { type: log ? "log" : "value", logBase: 10, min: range[0], max: range[1], name: p.name + (log ? " (log)" : ""), nameLocation: "middle", nameGap: gap,
        axisLabel: { formatter: fmt }, splitLine: { show: false } };
    }
    return base({ legend: { show: false }, grid: { left: 72, right: 150, top: 16, bottom: 48 },
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.seriesName === "trials") return "trial " + p.value[2] + "<br>" + esc(px.name) + " " + fmt(p.value[0]) + ", " + esc(py.name) + " " + fmt(p.value[1]) + "<br>" + esc(d.summary.metric) + " " + fmt(p.value[3]);
        if (p.seriesName === "bands") return "predicted " + esc(d.summary.metric) + " " + pieces[p.value[2]].label;
        return "";
      } },
      xAxis: axis(px, ct.xrange, ct.xlog, 30), yAxis: axis(py, ct.yrange, ct.ylog, 56),
      visualMap: { type: "piecewise", seriesIndex: 0, dimension: 2, pieces: pieces.slice().reverse(), right: 0, top: "middle", itemWidth: 14, itemHeight: 10,
        text: ["predicted " + d.summary.metric, ""], textGap: 6, itemGap: 3 },
      series: [
        { name: "bands", type: "custom", encode: { x: 0, y: 1 }, data: bandData, clip: true, renderItem: function (params, api) {
          var c = api.visual("color"), d = [];
          ct.bands[params.dataIndex].forEach(function (poly) {
            for (var i = 0; i + 1 < poly.length; i += 2) { var q = api.coord([X(poly[i]), Y(poly[i + 1])]); d.push((i ? "L" : "M") + q[0].toFixed(1) + " " + q[1].toFixed(1)); }
            d.push("Z");
          });
          return { type: "path", shape: { pathData: d.join("") }, style: { fill: c, stroke: c, lineWidth: 0.6 } };
        } },
        { name: "isolines", type: "custom", silent: true, encode: { x: 0, y: 1 }, data: lineData, clip: true, renderItem: function (params, api) {
          var segs = ct.lines[params.dataIndex], d = [];
          for (var i = 0; i + 3 < segs.length; i += 4) {
            var a = api.coord([X(segs[i]), Y(segs[i + 1])]), b = api.coord([X(segs[i + 2]), Y(segs[i + 3])]);
            d.push("M" + a[0].toFixed(1) + " " + a[1].toFixed(1) + "L" + b[0].toFixed(1) + " " + b[1].toFixed(1));
          }
          return { type: "path", shape: { pathData: d.join("") || "M0 0" }, style: { fill: null, stroke: "#24292f", lineWidth: 0.8, opacity: 0.55 } };
        } },
        { name: "trials", type: "scatter", symbolSize: 5, data: pts, itemStyle: { color: "#ffffff", borderColor: "#24292f", borderWidth: 1, opacity: 0.8 }, large: true, largeThreshold: 300 }
      ] });
  }
  // contourOf returns the contour of params xi and yi among d.contours,
  // or null.
  function contourOf(d, xi, yi) {
    for (var i = 0; i < (d.contours || []).length; i++) if (d.contours[i].x === xi && d.contours[i].y === yi) return d.contours[i];
    return null;
  }
  function noContour(d) {
    var numeric = d.params.filter(function (p) { return p.kind === "number"; }).length;
    return numeric < 2 ? "a contour needs two numeric parameters" : "a contour needs a fitted forest: at least 8 complete trials with different scores";
  }
  // intermediate draws each configuration's curve; the curves of one
  // state are one polyline series (a series a curve costs ECharts a
  // second and more for the 300 a large study sends), their points one
  // scatter series.
  function intermediate(d) {
    if (!d.curves.length) return empty("no intermediate values (no early stopping or reported steps)");
    var budgets = {};
    d.curves.forEach(function (c) { c.points.forEach(function (p) { budgets[p[0]] = true; }); });
    var ticks = Object.keys(budgets).map(Number).sort(function (a, b) { return a - b; });
    var useLog = ticks.length > 1 && ticks[0] > 0 && ticks[ticks.length - 1] / ticks[0] >= 8;
    var series = [];
    ["complete", "pruned"].forEach(function (state) {
      var pruned = state === "pruned", color = stateColor[state];
      var curves = d.curves.filter(function (c) { return !!c.pruned === pruned; });
      if (!curves.length) return;
      series.push({ name: state, type: "lines", coordinateSystem: "cartesian2d", polyline: true, silent: true,
        lineStyle: { width: 1, opacity: pruned ? 0.45 : 0.9, type: pruned ? "dashed" : "solid", color: color },
        data: curves.filter(function (c) { return c.points.length > 1; }).map(function (c) { return { coords: c.points }; }) });
      var pts = [];
      curves.forEach(function (c) { c.points.forEach(function (p) { pts.push([p[0], p[1], c.n]); }); });
      series.push({ name: state, type: "scatter", symbolSize: 5, itemStyle: { color: color }, data: pts, clip: false, large: true, largeThreshold: 300 });
    });
    return base({ legend: { top: 0, right: 8, data: ["complete", "pruned"] },
      tooltip: { formatter: function (p) { return "trial " + p.value[2] + "<br>" + esc(d.budget_name || "step") + " " + fmt(p.value[0]) + ": " + fmt(p.value[1]); } },
      xAxis: useLog ? { type: "log", logBase: 2, name: d.budget_name || "step", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: fmt } }
        : { type: "value", name: d.budget_name || "step", nameLocation: "middle", nameGap: 30, scale: true, axisLabel: { formatter: fmt } },
      yAxis: { type: "value", scale: true, name: d.summary.metric, axisLabel: { formatter: fmt } }, series: series });
  }
  function families(d) {
    if (!d.families.length) return empty("no complete trials yet");
    return base({ legend: { show: false },
      tooltip: { formatter: function (p) { var v = p.value; return esc(p.name) + " (" + d.families[p.dataIndex].count + " trials)<br>max " + fmt(v[5]) + "<br>q3 " + fmt(v[4]) + "<br>median " + fmt(v[3]) + "<br>q1 " + fmt(v[2]) + "<br>min " + fmt(v[1]); } },
      xAxis: { type: "category", data: d.families.map(function (f) { return f.model + " (" + f.count + ")"; }) },
      yAxis: { type: "value", scale: true, name: d.summary.metric, axisLabel: { formatter: fmt } },
      series: [{ type: "boxplot", itemStyle: { color: "#ddf4ff", borderColor: "#0969da" }, data: d.families.map(function (f) { return f.values; }) }] });
  }
  // importance draws d.importance (the binned fANOVA estimate) or, with
  // forest set, d.forest_importance (random forest permutation importance).
  function importance(d, forest) {
    var list = forest ? d.forest_importance : d.importance;
    if (!list || !list.length) return empty("importance needs at least " + (forest ? 8 : 4) + " complete trials with different scores");
    var imp = list.slice().reverse();
    return base({ legend: { show: false }, grid: { left: 120, right: 24, top: 12, bottom: 36 },
      tooltip: { formatter: function (p) { return esc(p.name) + ": " + fmt(p.value * 100) + "% of the variance"; } },
      xAxis: { type: "value", name: "share of variance", nameLocation: "middle", nameGap: 26, axisLabel: { formatter: function (x) { return fmt(x * 100) + "%"; } } },
      yAxis: { type: "category", data: imp.map(function (i) { return i.param; }) },
      series: [{ type: "bar", itemStyle: { color: "#0969da" }, data: imp.map(function (i) { return i.share; }) }] });
  }
  function timeline(d) {
    if (!d.timeline.length) return empty("no trial has start and end times yet");
    var data = d.timeline.map(function (s) { return { value: [s.lane, s.start, s.end, s.n, s.cold ? 1 : 0], worker: s.worker || "", itemStyle: { color: stateColor[s.state] || "#6b7785" } }; });
    var envs = d.env_lanes || 0, total = d.lanes_total || d.lanes, envTotal = d.env_lanes_total || envs;
    var what = envTotal ? (envTotal < total ? "lanes (" + envTotal + " Lambda environments)" : "Lambda environments") : "worker lanes";
    var caption = total > d.lanes ? d.lanes + " of " + total + " " + what + " shown (see the note)" : "all " + total + " " + what;
    return base({ legend: { show: false }, title: { text: caption, right: 8, top: 4, textStyle: { fontSize: 12, fontWeight: "normal", color: "#57606a" } },
      tooltip: { formatter: function (p) { var v = p.value; return "trial " + v[3] + (v[4] ? " (cold start)" : "") + (p.data.worker ? "<br>environment " + esc(p.data.worker) : "") + "<br>" + seconds(v[1]) + " to " + seconds(v[2]); } },
      xAxis: { type: "value", name: "time since start", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: seconds } },
      yAxis: { type: "value", name: envs ? (envs < d.lanes ? "Lambda environment, then worker" : "Lambda environment") : "worker", min: -0.5, max: d.lanes - 0.5, minInterval: 1, inverse: true, axisLabel: { formatter: intLabel } },
      series: [{ type: "custom", encode: { x: [1, 2], y: 0 }, data: data, renderItem: function (params, api) {
        var a = api.coord([api.value(1), api.value(0)]), b = api.coord([api.value(2), api.value(0)]);
        var h = Math.max(1, api.size([0, 1])[1] * 0.7);
        var rect = { x: a[0], y: a[1] - h / 2, width: Math.max(1, b[0] - a[0]), height: h };
        // A plain style: api.style() costs ECharts more than the rect.
        return { type: "rect", shape: rect, style: { fill: api.visual("color"), stroke: api.value(4) ? "#000" : null } };
      } }] });
  }
  // concurrencyChart is how many trials ran over time, every trial
  // counted (the timeline may draw only some lanes).
  function concurrencyChart(d) {
    if (!d.concurrency || !d.concurrency.length) return empty("no trial has start and end times yet");
    return base({ legend: { show: false }, title: { text: "peak " + d.concurrency_peak + " at once", right: 8, top: 4, textStyle: { fontSize: 12, fontWeight: "normal", color: "#57606a" } },
      tooltip: { trigger: "axis", formatter: function (ps) { var v = ps[0].value; return seconds(v[0]) + ": " + v[1] + " running"; } },
      xAxis: { type: "value", name: "time since start", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: seconds } },
      yAxis: { type: "value", name: "running trials", minInterval: 1 },
      series: [{ type: "line", step: "end", symbol: "none", areaStyle: { opacity: 0.15 }, lineStyle: { color: "#0969da" }, itemStyle: { color: "#0969da" },
        data: d.concurrency.map(function (c) { return [c.t, c.running]; }) }] });
  }
  function costChart(d) {
    if (!d.cost || !d.cost.length) return empty("no cost yet");
    return base({ legend: { show: false }, tooltip: { trigger: "axis", valueFormatter: function (x) { return "$" + fmt(x); } },
      xAxis: { type: "value", name: "time since start", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: seconds } },
      yAxis: { type: "value", name: "USD", axisLabel: { formatter: function (x) { return "$" + fmt(x); } } },
      series: [{ type: "line", symbol: "none", areaStyle: { opacity: 0.15 }, data: d.cost.map(function (c) { return [c.t, c.usd]; }) }] });
  }
  // all returns the options of every chart, keyed by chart id; ct is the
  // contour to draw (one of d.contours or fetched), or null and why.
  function all(d, ct, why) {
    var out = { "history-trials": history(d, false), "history-time": history(d, true), parallel: parallel(d),
      contour: contour(d, ct, why), intermediate: intermediate(d), families: families(d),
      importance: importance(d, false), "forest-importance": importance(d, true), timeline: timeline(d), concurrency: concurrencyChart(d), cost: costChart(d) };
    d.params.forEach(function (p, i) { out["slice-" + i] = slice(d, i); });
    return out;
  }
  // notes returns the text under each chart that says how it was
  // computed, keyed by chart id.
  function notes(d, ct) {
    return { importance: d.importance_by, "forest-importance": d.forest_importance_by, contour: ct ? "Surface: " + ct.by + "." : "",
      timeline: d.timeline_by || "" };
  }
  // draw draws every element with a data-chart attribute from the JSON
  // d (the static report's use: no API to poll), fills each data-note
  // element with its chart's note, and offers the contours of d in the
  // select element with data-contour-pairs, if any.
  function draw(d) {
    var ct = (d.contours || [])[0] || null;
    var opts = all(d, ct, noContour(d));
    var els = document.querySelectorAll("[data-chart]"), charts = {};
    for (var i = 0; i < els.length; i++) {
      var id = els[i].getAttribute("data-chart"), o = opts[id];
      if (o) { charts[id] = echarts.init(els[i]); charts[id].setOption(o); }
    }
    function fillNotes(ct) {
      var ns = notes(d, ct), nodes = document.querySelectorAll("[data-note]");
      for (var i = 0; i < nodes.length; i++) nodes[i].textContent = ns[nodes[i].getAttribute("data-note")] || "";
    }
    fillNotes(ct);
    var sel = document.querySelector("[data-contour-pairs]");
    if (sel && d.contours && d.contours.length > 1) {
      d.contours.forEach(function (c, k) {
        var o = document.createElement("option");
        o.value = String(k); o.textContent = d.params[c.x].name + " × " + d.params[c.y].name;
        sel.appendChild(o);
      });
      sel.hidden = false;
      sel.addEventListener("change", function () {
        var c = d.contours[+sel.value];
        if (charts.contour) charts.contour.setOption(contour(d, c), true);
        fillNotes(c);
      });
    }
    window.addEventListener("resize", function () { for (var k in charts) charts[k].resize(); });
  }
  return { all: all, draw: draw, notes: notes, contour: contour, contourOf: contourOf, noContour: noContour, fmt: fmt, esc: esc, seconds: seconds, stateColor: stateColor };
})();
