package report

import (
	"slices"
	"testing"
)

func TestLogTicksLabelBetweenPowersOfTen(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.03, 25, []string{"0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "20"}},
		{1e-4, 1e-2, []string{"0.0001", "0.0002", "0.0005", "0.001", "0.002", "0.005", "0.01"}},
		// Within one decade and between labelled multiples: the ends.
		{3.1, 4.4, []string{"3.1", "4.4"}},
	} {
		var got []string
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("logTicks(%v, %v) labels %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

func TestIntTicksLabelWholeTrialNumbers(t *testing.T) {
	for _, r := range [][2]float64{{0, 3}, {0, 60}, {0, 100000}} {
		for _, tk := range (intTicks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			for _, ch := range tk.Label {
				if ch < '0' || ch > '9' {
					t.Errorf("range %v: label %q is not a whole number", r, tk.Label)
				}
			}
		}
	}
}
