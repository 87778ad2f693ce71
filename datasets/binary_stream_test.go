package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/parquet-go/parquet-go"
)

// wideFixture is a dataset whose matrix spans many of DecodeBinary's
// buffers (3,000 × 7 cells, over 160 KB), with a categorical target.
func wideFixture(tb testing.TB) *Dataset {
	tb.Helper()
	var buf bytes.Buffer
	if err := GenerateCSV(&buf, 3000, 7, 1); err != nil {
		tb.Fatal(err)
	}
	d, err := ReadCSV(&buf, "wide.csv", Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestDecodeBinaryGivesTheEncodedDataset(t *testing.T) {
	readers := map[string]func([]byte) io.Reader{
		"whole":      func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte":   func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half reads": func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
	}
	for _, d := range append(binaryFixtures(t), wideFixture(t)) {
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		for name, reader := range readers {
			t.Run(d.Name+"/"+name, func(t *testing.T) {
				got, err := DecodeBinary(reader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				sameDataset(t, got, d)
			})
		}
	}
}

// TestCSVParquetAndBinaryLoadTheSameMatrix: a CSV, its Parquet twin and
// the binary form decoded from a file are the same dataset.
func TestCSVParquetAndBinaryLoadTheSameMatrix(t *testing.T) {
	type row struct {
		A     float64 `parquet:"a"`
		B     float64 `parquet:"b"`
		C     float64 `parquet:"c"`
		Label string  `parquet:"label"`
	}
	var csv strings.Builder
	csv.WriteString("a,b,c,label\n")
	var rows []row
	for i := range 20000 { // several row groups and decode buffers
		r := row{float64(i) * 0.5, float64(i%7) - 3.25, 1 / float64(i+1), []string{"x", "y", "z"}[i%3]}
		rows = append(rows, r)
		fmt.Fprintf(&csv, "%v,%v,%v,%s\n", r.A, r.B, r.C, r.Label)
	}
	dir := t.TempDir()
	csvPath, pqPath, binPath := filepath.Join(dir, "t.csv"), filepath.Join(dir, "t.parquet"), filepath.Join(dir, "t.hpds")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pqPath, encodeParquet(t, rows, parquet.MaxRowsPerRowGroup(3000)), 0o644); err != nil {
		t.Fatal(err)
	}
	fromCSV, err := Load(csvPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromParquet, err := Load(pqPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromParquet.Name = fromCSV.Name // named after their files
	sameDataset(t, fromParquet, fromCSV)

	b, err := fromCSV.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(binPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(binPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fromBinary, err := DecodeBinary(f, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	sameDataset(t, fromBinary, fromCSV)
}

func TestDecodeBinaryRefusesBadInput(t *testing.T) {
	d := wideFixture(t)
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(b))
	flipped := func(i int) []byte { c := bytes.Clone(b); c[i] ^= 0x01; return c }
	tests := []struct {
		name string
		in   []byte
		size int64
	}{
		{"empty", nil, 0},
		{"header only", b[:8], 8},
		{"truncated in the names, size as read", b[:40], 40},
		{"truncated in X, size as read", b[:n/2], n / 2},
		{"truncated before the checksum, size as read", b[:n-4], n - 4},
		{"reader shorter than size", b[:n/2], n},
		{"reader shorter by one byte", b[:n-1], n},
		{"reader longer than size", append(bytes.Clone(b), 0), n},
		{"size larger than the reader", b, n + 8},
		{"size smaller than the reader", b, n - 8},
		{"a cell flipped", flipped(int(n / 2)), n},
		{"the last label flipped", flipped(int(n - 5)), n},
		{"the checksum flipped", flipped(int(n - 1)), n},
		{"the version flipped", flipped(4), n},
		{"the row count flipped", flipped(int(n - 8*int64(d.Rows*(d.Cols+1)) - 16)), n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeBinary(bytes.NewReader(tt.in), tt.size); !errors.Is(err, ErrCorrupt) {
				t.Errorf("DecodeBinary = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestDecodeBinaryReportsReadErrorsAsSuch(t *testing.T) {
	b, err := wideFixture(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("connection reset")
	for _, at := range []int{0, 20, len(b) / 2, len(b) - 2} {
		r := io.MultiReader(bytes.NewReader(b[:at]), iotest.ErrReader(broken))
		_, err := DecodeBinary(r, int64(len(b)))
		if !errors.Is(err, broken) || errors.Is(err, ErrCorrupt) {
			t.Errorf("reader failing after %d bytes: %v, want the read error and not ErrCorrupt", at, err)
		}
	}
}
