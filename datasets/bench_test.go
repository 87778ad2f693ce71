package datasets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"
)

// generated returns a GenerateCSV dataset as bytes.
func generated(tb testing.TB, rows, cols int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := GenerateCSV(&buf, rows, cols, 1); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides Len, so ReadCSV cannot size its columns up front.
type onlyReader struct{ io.Reader }

func TestReadCSVLarge(t *testing.T) {
	data := generated(t, 5000, 20)
	sized, err := ReadCSV(bytes.NewReader(data), "big.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sized.Rows != 5000 || sized.Cols != 20 || len(sized.Classes) != 3 {
		t.Errorf("got %d×%d with %d classes", sized.Rows, sized.Cols, len(sized.Classes))
	}
	unsized, err := ReadCSV(onlyReader{bytes.NewReader(data)}, "big.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameDataset(t, unsized, sized)
}

// naiveReadCSV is the peer: encoding/csv with a fresh record per row and
// strconv.ParseFloat for every cell, as a first implementation would be.
func naiveReadCSV(data []byte) ([]float64, error) {
	r := csv.NewReader(bytes.NewReader(data))
	if _, err := r.Read(); err != nil {
		return nil, err
	}
	var x []float64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return x, nil
		}
		if err != nil {
			return nil, err
		}
		for _, s := range rec[:len(rec)-1] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, err
			}
			x = append(x, v)
		}
	}
}

// BenchmarkReadCSV reports ns/op for ReadCSV and, as "x-naive", its time
// relative to naiveReadCSV measured in the same run (below 1 is faster).
func BenchmarkReadCSV(b *testing.B) {
	for _, rows := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d,cols=50", rows), func(b *testing.B) {
			data := generated(b, rows, 50)
			b.SetBytes(int64(len(data)))
			var ours, peer time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := ReadCSV(bytes.NewReader(data), "bench.csv", Options{}); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(start)
				b.StopTimer()
				start = time.Now()
				if _, err := naiveReadCSV(data); err != nil {
					b.Fatal(err)
				}
				peer += time.Since(start)
				b.StartTimer()
			}
			b.ReportMetric(float64(ours)/float64(peer), "x-naive")
		})
	}
}

func BenchmarkMarshalBinary(b *testing.B) {
	d, err := ReadCSV(bytes.NewReader(generated(b, 20_000, 50)), "bench.csv", Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(d.X)+len(d.Y)) * 8)
	for b.Loop() {
		if _, err := d.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalBinary(b *testing.B) {
	d, err := ReadCSV(bytes.NewReader(generated(b, 20_000, 50)), "bench.csv", Options{})
	if err != nil {
		b.Fatal(err)
	}
	enc, err := d.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := UnmarshalBinary(enc); err != nil {
			b.Fatal(err)
		}
	}
}
