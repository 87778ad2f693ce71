package worker

import (
	"errors"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func labels(counts ...int) []float64 {
	var y []float64
	for c, n := range counts {
		for range n {
			y = append(y, float64(c))
		}
	}
	return y
}

func TestSplitsPartitionAndStratify(t *testing.T) {
	y := labels(50, 30, 20)
	splits, err := Splits(y, trial.Classification, nil, trial.CV{Folds: 5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(splits) != 5 {
		t.Fatalf("got %d splits, want 5", len(splits))
	}
	seen := make([]int, len(y))
	for f, s := range splits {
		if len(s.Train)+len(s.Valid) != len(y) {
			t.Errorf("fold %d: train %d + valid %d != %d", f, len(s.Train), len(s.Valid), len(y))
		}
		for _, i := range s.Valid {
			seen[i]++
		}
		// Each class appears in the validation fold in proportion.
		counts := make([]int, 3)
		for _, i := range s.Valid {
			counts[int(y[i])]++
		}
		if !slices.Equal(counts, []int{10, 6, 4}) {
			t.Errorf("fold %d: class counts %v, want [10 6 4]", f, counts)
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("row %d is in %d validation folds, want 1", i, n)
		}
	}
}

func TestSplitsDeterministicInSeed(t *testing.T) {
	y := labels(40, 40)
	a, _ := Splits(y, trial.Classification, nil, trial.CV{Folds: 4, Seed: 1})
	b, _ := Splits(y, trial.Classification, nil, trial.CV{Folds: 4, Seed: 1})
	c, _ := Splits(y, trial.Classification, nil, trial.CV{Folds: 4, Seed: 2})
	if !slices.Equal(a[0].Valid, b[0].Valid) {
		t.Error("same seed gave different folds")
	}
	if slices.Equal(a[0].Valid, c[0].Valid) {
		t.Error("different seeds gave the same folds")
	}
}

func TestSplitsRegressionHoldoutRepeats(t *testing.T) {
	y := make([]float64, 101)
	for i := range y {
		y[i] = float64(i) * 0.5
	}
	s, err := Splits(y, trial.Regression, nil, trial.CV{Holdout: 0.2, Seed: 9})
	if err != nil || len(s) != 1 {
		t.Fatalf("holdout: %v, %d splits", err, len(s))
	}
	if len(s[0].Valid) != 20 || len(s[0].Train) != 81 {
		t.Errorf("holdout sizes %d/%d, want 20/81", len(s[0].Valid), len(s[0].Train))
	}
	r, err := Splits(y, trial.Regression, nil, trial.CV{Folds: 3, Repeats: 2})
	if err != nil || len(r) != 6 {
		t.Fatalf("repeats: %v, %d splits, want 6", err, len(r))
	}
	if slices.Equal(r[0].Valid, r[3].Valid) {
		t.Error("repeats used the same shuffle")
	}
}

func TestSplitsSmallClassNamed(t *testing.T) {
	y := labels(10, 3)
	_, err := Splits(y, trial.Classification, []string{"cat", "dog"}, trial.CV{Folds: 5})
	if !errors.Is(err, trial.ErrBadInput) {
		t.Fatalf("err = %v, want ErrBadInput", err)
	}
	if want := `class "dog" has 3 rows`; !contains(err.Error(), want) {
		t.Errorf("err = %q, want it to contain %q", err, want)
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
