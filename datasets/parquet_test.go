package datasets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/trial"
)

// parquetRow is the Parquet twin of parquetTwinCSV.
type parquetRow struct {
	Size   float64  `parquet:"size"`
	Count  int32    `parquet:"count"`
	Big    int64    `parquet:"big"`
	Ratio  *float32 `parquet:"ratio,optional"`
	Colour *string  `parquet:"colour,optional"`
	Label  string   `parquet:"label"`
}

const parquetTwinCSV = `size,count,big,ratio,colour,label
1.5,3,10000000000,0.5,red,yes
2.5,4,-7,,blue,no
-3,5,0,0.25,,yes
`

func writeParquet[T any](tb testing.TB, rows []T) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "twin.parquet")
	if err := os.WriteFile(path, encodeParquet(tb, rows, parquet.MaxRowsPerRowGroup(2)), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// encodeParquet returns rows as a Parquet file; by default with several
// row groups.
func encodeParquet[T any](tb testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadParquetMatchesCSV(t *testing.T) {
	half, quarter := float32(0.5), float32(0.25)
	red, blue := "red", "blue"
	path := writeParquet(t, []parquetRow{
		{1.5, 3, 10000000000, &half, &red, "yes"},
		{2.5, 4, -7, nil, &blue, "no"},
		{-3, 5, 0, &quarter, nil, "yes"},
	})
	for _, enc := range []string{OneHot, Ordinal} {
		t.Run(enc, func(t *testing.T) {
			opts := Options{Encoding: enc, AllowMissing: true}
			got, err := Load(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := readString(t, parquetTwinCSV, opts)
			want.Name = "twin"
			sameDataset(t, got, want)
		})
	}
	cols, err := Columns(path)
	if want := []string{"size", "count", "big", "ratio", "colour", "label"}; err != nil || !slices.Equal(cols, want) {
		t.Errorf("Columns = %v, %v; want %v", cols, err, want)
	}
	_, err = Load(path, Options{})
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Field != "ratio" || !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("null without AllowMissing: %v, want an InputError for column ratio", err)
	}
	_, err = Load(path, Options{Target: "nope"})
	if !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("unknown target: %v, want bad input", err)
	}
}

func TestReadParquetBadInput(t *testing.T) {
	type nested struct {
		Tags []string `parquet:"tags"`
		Y    int64    `parquet:"y"`
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"repeated column", writeParquet(t, []nested{{[]string{"a"}, 1}}), "tags"},
		{"not parquet", func() string {
			p := filepath.Join(t.TempDir(), "junk.parquet")
			os.WriteFile(p, []byte("not parquet at all"), 0o644)
			return p
		}(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadParquet(tt.path, Options{})
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.Field != tt.want {
				t.Errorf("ReadParquet: %v, want an InputError for field %q", err, tt.want)
			}
		})
	}
}
