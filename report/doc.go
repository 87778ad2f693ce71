// Package report renders a study directory as one self-contained HTML
// file, and its key charts as PNG files.
//
// The HTML needs no network: its styles and scripts are inline. Its first
// charts are the live dashboard's: the JSON of internal/studycharts drawn
// by dashboard/web's charts.js and pinned Apache ECharts, inlined, so the
// two never drift apart; below them the same views as SVG drawn with
// gonum.org/v1/plot, which WritePNG also writes. It shows the
// leaderboard; the best score over time and over trial number; the score
// against each parameter (on a log axis for log-scaled parameters); a
// parallel-coordinates view of the top trials; for early stopping, the
// scores at each rung's budget; what the study cost and how long it took;
// and, when hpsearch compare left a compare.json in the directory, the
// local-versus-Lambda comparison.
//
// Like the leaderboard, a report is a pure function of the study's spec
// and journal (and comparison): Load reads them, WriteHTML and WritePNG
// render them.
package report
