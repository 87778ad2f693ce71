// Package web holds the dashboard's pages and scripts and the pinned
// Apache ECharts they draw with (echarts.min.js, its LICENSE-echarts and
// VERSION; refresh.sh fetches it from the npm registry), embedded in the
// binary so that nothing is fetched from the network when a page opens.
//
// charts.js builds every chart's ECharts option from the JSON the
// dashboard's API returns; the dashboard's pages use it, and so does any
// page that inlines it, so the charts cannot drift apart.
package web

import "embed"

// Files holds the pages (index.html, study.html, trial.html), the scripts
// (app.js, charts.js, echarts.min.js) and style.css.
//
//go:embed *.html *.js *.css
var Files embed.FS

// EChartsVersion is the pinned version of echarts.min.js.
const EChartsVersion = "6.1.0"
