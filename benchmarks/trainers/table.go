package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Goals: our mean CV score at most scoreSlack below scikit-learn's (r2:
// twice that), and our time at most timeGoal of theirs (boostGoal for
// gradient_boosting).
const (
	scoreSlack = 0.01
	timeGoal   = 1.0
	boostGoal  = 0.5
)

// writeTable prints the outcomes as a markdown table.
func writeTable(w io.Writer, rows []outcome, withPeer bool) {
	if !withPeer {
		fmt.Fprintln(w, "| data | family | settings | scale | score | seconds | cpu s | reps |")
		fmt.Fprintln(w, "|---|---|---|---|---:|---:|---:|---:|")
		for _, o := range rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %d |\n", o.Data, o.Family, describe(o.Params), o.Scale,
				score(o.Ours), secs(o.Ours.Wall, o.Ours.Err), secs(o.Ours.CPU, o.Ours.Err), o.Reps)
		}
		return
	}
	fmt.Fprintln(w, "| data | family | settings | scikit-learn | ours score | sklearn score | diff | ours s | sklearn s | ratio | cpu ratio | reps | goals |")
	fmt.Fprintln(w, "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, o := range rows {
		diff, ratio, cpuRatio := "—", "—", "—"
		if o.Ours.Err == "" && o.Peer.Err == "" {
			diff = fmt.Sprintf("%+.4f", o.Ours.Score-o.Peer.Score)
			ratio = fmt.Sprintf("%.2f", o.Ours.Wall/o.Peer.Wall)
			cpuRatio = fmt.Sprintf("%.2f", o.Ours.CPU/o.Peer.CPU)
		}
		peer := o.Sklearn[strings.LastIndex(o.Sklearn, ".")+1:]
		if o.Scale == "standard" {
			peer = "StandardScaler + " + peer
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s(%s) | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n",
			o.Data, o.Family, describe(o.Params), peer, describe(o.SklearnArgs),
			score(o.Ours), score(o.Peer), diff, secs(o.Ours.Wall, o.Ours.Err), secs(o.Peer.Wall, o.Peer.Err),
			ratio, cpuRatio, o.Reps, goals(o))
	}
	for _, o := range rows {
		for _, m := range []struct {
			side string
			m    measurement
		}{{"ours", o.Ours}, {"sklearn", o.Peer}} {
			if lo, hi := m.m.spread(); hi > lo {
				fmt.Fprintf(w, "\n%s %s on %s: the score varied across repetitions, %.4f to %.4f (the table shows the mean)\n",
					m.side, o.Family, o.Data, lo, hi)
			}
		}
	}
	for _, o := range rows {
		for _, m := range []struct {
			side string
			m    measurement
		}{{"ours", o.Ours}, {"sklearn", o.Peer}} {
			if m.m.Err != "" {
				fmt.Fprintf(w, "\n%s %s on %s failed: %s\n", m.side, o.Family, o.Data, firstLine(m.m.Err))
			}
		}
	}
}

// goals says which goals a row misses, or "met".
func goals(o outcome) string {
	if o.Ours.Err != "" || o.Peer.Err != "" {
		return "failed"
	}
	slack := scoreSlack
	if o.Task == trial.Regression {
		slack = 2 * scoreSlack
	}
	limit := timeGoal
	if o.Family == "gradient_boosting" {
		limit = boostGoal
	}
	var miss []string
	if o.Ours.Score < o.Peer.Score-slack {
		miss = append(miss, "score")
	}
	if o.Ours.Wall/o.Peer.Wall > limit {
		miss = append(miss, fmt.Sprintf("time (> %.1f)", limit))
	}
	if len(miss) == 0 {
		return "met"
	}
	return "missed: " + strings.Join(miss, ", ")
}

func score(m measurement) string {
	if m.Err != "" {
		return "failed"
	}
	return fmt.Sprintf("%.4f", m.Score)
}

func secs(s float64, err string) string {
	if err != "" {
		return "—"
	}
	return fmt.Sprintf("%.3f", s)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
