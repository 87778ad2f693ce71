package studycharts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestForestImportanceFindsTheParameterThatDrivesTheScore(t *testing.T) {
	c := Build("0", study(500))
	if len(c.ForestImportance) != 3 || c.ForestImportance[0].Param != "x" {
		t.Fatalf("forest importance %+v, want x first", c.ForestImportance)
	}
	if c.ForestImportance[0].Share < 0.5 {
		t.Errorf("shuffling x raises the error by %.3f of the variance, want above 0.5", c.ForestImportance[0].Share)
	}
	for _, imp := range c.ForestImportance[1:] {
		if imp.Share > c.ForestImportance[0].Share/20 {
			t.Errorf("%s has %.3f against x's %.3f, want under a twentieth", imp.Param, imp.Share, c.ForestImportance[0].Share)
		}
	}
	if c.ForestImportanceBy == "" {
		t.Error("no method named")
	}
}

func TestForestImportanceIsDeterministic(t *testing.T) {
	a, b := Build("0", study(200)), Build("0", study(200))
	if !reflect.DeepEqual(a.ForestImportance, b.ForestImportance) {
		t.Errorf("two builds differ: %+v and %+v", a.ForestImportance, b.ForestImportance)
	}
}

func TestForestImportanceUsesAtMostMaxForestTrials(t *testing.T) {
	rs := finals(study(MaxForestTrials + 500).Events)
	imp, method, _, err := forestImportance(paramsOf(rs, nil), rs, trial.Maximize)
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Param != "x" {
		t.Errorf("importance %+v, want x first", imp)
	}
	if want := "most recent 2000 complete trials"; !contains(method, want) {
		t.Errorf("method %q does not say %q", method, want)
	}
}

func TestForestImportanceNeedsEnoughTrials(t *testing.T) {
	if c := Build("0", study(minForestTrials-1)); c.ForestImportance != nil {
		t.Errorf("forest importance from %d trials: %+v", minForestTrials-1, c.ForestImportance)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// BenchmarkForestImportance measures the forest importance at its cap,
// MaxForestTrials complete trials of three parameters: what it adds to
// every build of a large study's charts.
func BenchmarkForestImportance(b *testing.B) {
	rs := finals(study(MaxForestTrials).Events)
	params := paramsOf(rs, nil)
	for b.Loop() {
		if _, _, _, err := forestImportance(params, rs, trial.Maximize); err != nil {
			b.Fatal(err)
		}
	}
}
