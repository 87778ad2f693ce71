package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// sameDataset compares two datasets field by field, NaN equal to NaN.
func sameDataset(tb testing.TB, got, want *Dataset) {
	tb.Helper()
	g, w := *got, *want
	g.X, g.Y, w.X, w.Y = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("got %+v, want %+v", g, w)
	}
	if !sameFloats(got.X, want.X) || !sameFloats(got.Y, want.Y) {
		tb.Errorf("X or Y differ:\n got %v %v\nwant %v %v", got.X, got.Y, want.X, want.Y)
	}
}

func binaryFixtures(tb testing.TB) []*Dataset {
	tb.Helper()
	iris, err := Load("iris", Options{})
	if err != nil {
		tb.Fatal(err)
	}
	diabetes, err := Load("diabetes", Options{})
	if err != nil {
		tb.Fatal(err)
	}
	missing := readString(tb, "a,colour,y\n1,red,x\n,blue,z\n3,,x\n", Options{AllowMissing: true})
	return []*Dataset{iris, diabetes, missing}
}

func TestBinaryRoundTrip(t *testing.T) {
	for _, d := range binaryFixtures(t) {
		t.Run(d.Name, func(t *testing.T) {
			b, err := d.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != d.binarySize() {
				t.Errorf("encoded %d bytes, binarySize says %d", len(b), d.binarySize())
			}
			got, err := UnmarshalBinary(b)
			if err != nil {
				t.Fatal(err)
			}
			sameDataset(t, got, d)
			sum, err := d.SHA256()
			want := sha256.Sum256(b)
			if err != nil || sum != hex.EncodeToString(want[:]) {
				t.Errorf("SHA256 = %s, %v; want %x", sum, err, want)
			}
		})
	}
}

func TestUnmarshalBinaryCorrupt(t *testing.T) {
	d := binaryFixtures(t)[2]
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := UnmarshalBinary(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: %v, want ErrCorrupt", n, len(b), err)
		}
	}
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x10
		if _, err := UnmarshalBinary(c); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: %v, want ErrCorrupt", i, err)
		}
	}
}

func TestMarshalBinaryBadShape(t *testing.T) {
	d := &Dataset{Name: "x", Task: trial.Regression, Features: []string{"a"}, Rows: 2, Cols: 1, X: []float64{1}, Y: []float64{1, 2}}
	if _, err := d.MarshalBinary(); err == nil {
		t.Error("MarshalBinary of a 2×1 dataset with 1 cell: want an error")
	}
	if _, err := d.SHA256(); err == nil {
		t.Error("SHA256 of a 2×1 dataset with 1 cell: want an error")
	}
}

func TestValidate(t *testing.T) {
	good := func() *Dataset {
		return &Dataset{Name: "v", Target: "y", Task: trial.Classification, Features: []string{"a", "b"},
			Rows: 2, Cols: 2, X: []float64{1, 2, 3, math.NaN()}, Y: []float64{0, 1}, Classes: []string{"n", "p"}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good dataset: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(d *Dataset)
	}{
		{"no rows", func(d *Dataset) { d.Rows, d.X, d.Y = 0, nil, nil }},
		{"short X", func(d *Dataset) { d.X = d.X[:3] }},
		{"short Y", func(d *Dataset) { d.Y = d.Y[:1] }},
		{"feature count", func(d *Dataset) { d.Features = d.Features[:1] }},
		{"duplicate feature", func(d *Dataset) { d.Features[1] = "a" }},
		{"infinite cell", func(d *Dataset) { d.X[0] = math.Inf(1) }},
		{"one class", func(d *Dataset) { d.Classes, d.Y = d.Classes[:1], []float64{0, 0} }},
		{"label out of range", func(d *Dataset) { d.Y[1] = 2 }},
		{"fractional label", func(d *Dataset) { d.Y[1] = 0.5 }},
		{"empty class", func(d *Dataset) { d.Y[1] = 0 }},
		{"unknown task", func(d *Dataset) { d.Task = "ranking" }},
		{"regression with classes", func(d *Dataset) { d.Task = trial.Regression }},
		{"constant regression", func(d *Dataset) { d.Task, d.Classes, d.Y = trial.Regression, nil, []float64{3, 3} }},
		{"NaN regression target", func(d *Dataset) { d.Task, d.Classes, d.Y[0] = trial.Regression, nil, math.NaN() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.mutate(d)
			if err := d.Validate(); !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("Validate() = %v, want bad input", err)
			}
		})
	}
}
