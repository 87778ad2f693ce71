// Package studycharts computes what a study's charts draw, from its spec
// and journal: the summary the dashboard lists and every series of the
// charts that dashboard/web/charts.js builds, downsampled to at most
// MaxPoints points a series. The live dashboard serves it as JSON and the
// static report inlines the same JSON with the same scripts, so the two
// never drift apart. It is a pure function of the study.
package studycharts
