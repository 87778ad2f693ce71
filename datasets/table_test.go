package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/hpsearch/hpsearch/trial"
)

// The loaders read cells straight into the buffer that becomes X. These
// tests pin what that must not change: the values, wherever the target
// is, however the buffer grew, and the rows errors name.

func TestReadCSVGrowsPastItsEstimate(t *testing.T) {
	// Long first rows make the size estimate far too small, so the table
	// grows several times after it.
	var b strings.Builder
	b.WriteString("a,b,y\n")
	var wantX, wantY []float64
	for i := range 30000 {
		a, c := float64(i), float64(i%5)/4
		if i < sizeProbeRows {
			fmt.Fprintf(&b, "%s%d.0,%v,%d\n", strings.Repeat("0", 200), i, c, i%2)
		} else {
			fmt.Fprintf(&b, "%d,%v,%d\n", i, c, i%2)
		}
		wantX = append(wantX, a, c)
		wantY = append(wantY, float64(i%2))
	}
	for _, r := range []struct {
		name string
		r    func() io.Reader
	}{
		{"sized", func() io.Reader { return strings.NewReader(b.String()) }},
		{"unsized", func() io.Reader { return onlyReader{strings.NewReader(b.String())} }},
	} {
		t.Run(r.name, func(t *testing.T) {
			d, err := ReadCSV(r.r(), "grow.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Rows != 30000 || d.Cols != 2 || !sameBits(d.X, wantX) || !sameBits(d.Y, wantY) {
				t.Errorf("got %d×%d, X equal %v, Y equal %v", d.Rows, d.Cols, sameBits(d.X, wantX), sameBits(d.Y, wantY))
			}
		})
	}
}

// sameBits reports whether a and b hold the same float64s to the bit.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestReadCSVMatchesNaiveReaderToTheBit(t *testing.T) {
	data := generated(t, 3000, 12)
	want, err := naiveReadCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadCSV(bytes.NewReader(data), "g.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(d.X, want) {
		t.Error("X differs from encoding/csv and strconv.ParseFloat")
	}
}

func TestLoadAnyTargetColumn(t *testing.T) {
	half, quarter := float32(0.5), float32(0.25)
	red, blue := "red", "blue"
	pq := writeParquet(t, []parquetRow{ // row groups of 2 rows
		{1.5, 3, 10000000000, &half, &red, "yes"},
		{2.5, 4, -7, nil, &blue, "no"},
		{-3, 5, 0, &quarter, nil, "yes"},
	})
	for _, target := range []string{"size", "count", "big", "label"} {
		for _, enc := range []string{OneHot, Ordinal} {
			t.Run(target+"/"+enc, func(t *testing.T) {
				opts := Options{Target: target, Encoding: enc, AllowMissing: true}
				want := readString(t, parquetTwinCSV, opts)
				if want.Target != target {
					t.Fatalf("target %q, want %q", want.Target, target)
				}
				got, err := Load(pq, opts)
				if err != nil {
					t.Fatal(err)
				}
				got.Name = want.Name
				sameDataset(t, got, want)
				if !sameBits(got.X, want.X) || !sameBits(got.Y, want.Y) {
					t.Errorf("X %v, Y %v; want %v, %v", got.X, got.Y, want.X, want.Y)
				}
			})
		}
	}
}

func TestReadParquetErrorsNameTheRowAcrossRowGroups(t *testing.T) {
	type row struct {
		A float64 `parquet:"a"`
		B float64 `parquet:"b"`
		Y int32   `parquet:"y"`
	}
	rows := []row{{1, 1, 0}, {2, 2, 1}, {3, 3, 0}, {4, 4, 1}, {5, 5, 0}}
	tests := []struct {
		name  string
		edit  func([]row)
		field string
		msg   string
	}{
		{"NaN in the second row group", func(r []row) { r[3].B = math.NaN() }, "b", "row 4: missing value"},
		{"infinity in the third", func(r []row) { r[4].A = math.Inf(-1) }, "a", "row 5: value is infinite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := append([]row(nil), rows...)
			tt.edit(r)
			path := writeParquet(t, r) // row groups of 2 rows
			_, err := Load(path, Options{})
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("Load: %v; want an InputError for %s saying %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestReadParquetDoesNotAllocateForRowsItDoesNotHold(t *testing.T) {
	type row struct {
		S string `parquet:"s"`
		Y int32  `parquet:"y"`
	}
	// Four rows, declared as 100 million: 1.6 GB of cells if the loader
	// believed the footer.
	b := rewriteFooter(t, encodeParquet(t, []row{{"a", 0}, {"b", 1}, {"a", 0}, {"b", 1}}), func(md *format.FileMetaData) {
		md.NumRows = 100_000_000
		md.RowGroups[0].NumRows = 100_000_000
	})
	path := filepath.Join(t.TempDir(), "liar.parquet")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Load(path, Options{})
	runtime.ReadMemStats(&after)
	var ie *trial.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "4 values for 100000000 rows") {
		t.Errorf("Load: %v; want an InputError saying the column has 4 values for 100000000 rows", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
		t.Errorf("allocated %d MiB for a %d-byte file", got>>20, len(b))
	}
}

func TestParquetNumber(t *testing.T) {
	for _, tt := range []struct {
		v    parquet.Value
		want float64
	}{
		{parquet.BooleanValue(true), 1},
		{parquet.BooleanValue(false), 0},
		{parquet.Int32Value(-7), -7},
		{parquet.Int64Value(1 << 40), 1 << 40},
		{parquet.FloatValue(0.25), 0.25},
		{parquet.DoubleValue(-1.5), -1.5},
	} {
		if got := ParquetNumber(tt.v); got != tt.want {
			t.Errorf("ParquetNumber(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
