// Package report renders a study directory as one self-contained HTML
// file, and its key charts as PNG files.
//
// The HTML needs no network: its styles are inline and its charts are SVG
// drawn with gonum.org/v1/plot and written into the page. It shows the
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
