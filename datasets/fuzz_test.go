package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/trial"
)

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,y\n1,2,x\n3,4,z\n",
		"a,b,y\n1,red,0\n2,blue,1\n3,,0\n",
		"a,y\n1,1.5\n2,2.5\n",
		"a,y\n1,x\n2,x\n",
		"a,\"b\"\"c\",y\n\"1\n2\",3,x\n4,5,z\n",
		"a,y\nNA,1\nnan,0\n-inf,1\n",
		"\uFEFFa,b\n1e3,0x1p2\n.5,+1\n",
		"a,a\n1,2\n",
		"",
	} {
		f.Add(s, false, false)
		f.Add(s, true, true)
	}
	f.Fuzz(func(t *testing.T, in string, ordinal, allowMissing bool) {
		opts := Options{AllowMissing: allowMissing}
		if ordinal {
			opts.Encoding = Ordinal
		}
		d, err := ReadCSV(strings.NewReader(in), "fuzz.csv", opts)
		if err != nil {
			if !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("error %v is not bad input", err)
			}
			return
		}
		if len(d.X) != d.Rows*d.Cols || len(d.Y) != d.Rows || len(d.Features) != d.Cols {
			t.Fatalf("inconsistent: %d×%d, %d cells, %d labels, %d features", d.Rows, d.Cols, len(d.X), len(d.Y), len(d.Features))
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("ReadCSV returned a dataset that fails Validate: %v", err)
		}
		if !allowMissing && d.HasMissing() {
			t.Fatal("missing cells without AllowMissing")
		}
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalBinary(b)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		sameDataset(t, back, d)
	})
}

func FuzzUnmarshalBinary(f *testing.F) {
	// Small seeds only: the fuzzer minimizes every new input it finds
	// interesting, which takes long for the kilobytes of iris.
	for _, in := range []string{"a,colour,y\n1,red,x\n,blue,z\n3,,x\n", "a,y\n1,0.5\n2,-1\n"} {
		b, err := readString(f, in, Options{AllowMissing: true}).MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("HPDS"))
	f.Add([]byte("HPDS\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkUnmarshal(t, b)
		// Most mutations break the checksum; fix it so the fuzzer also
		// reaches the decoder behind it.
		if len(b) >= 4 {
			body := b[:len(b)-4]
			checkUnmarshal(t, binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli)))
		}
	})
}

func checkUnmarshal(t *testing.T, b []byte) {
	d, err := UnmarshalBinary(b)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v is not ErrCorrupt", err)
		}
		return
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("UnmarshalBinary returned an invalid dataset: %v", err)
	}
	again, err := d.MarshalBinary()
	if err != nil || string(again) != string(b) {
		t.Fatalf("re-encoding differs from the input (%v)", err)
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", ".5", "1.", "+12.25", "9007199254740993", "0.30000000000000004", "1e5", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDecimal(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseDecimal(%q) = %v, strconv.ParseFloat gives %v, %v", s, got, want, err)
		}
	})
}

// parquetSeeds returns small valid Parquet files in the encodings the
// loader meets: plain and dictionary pages, optional columns, several row
// groups, version 1 and 2 data pages and every compression codec.
func parquetSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	type flat struct {
		A float64 `parquet:"a"`
		B bool    `parquet:"b"`
		Y int32   `parquet:"y"`
	}
	type dict struct {
		Colour *string `parquet:"colour,optional,dict"`
		N      *int64  `parquet:"n,optional"`
		Label  string  `parquet:"label,dict"`
	}
	red, blue, one, two := "red", "blue", int64(1), int64(2)
	flats := []flat{{1.5, true, 0}, {-2, false, 1}, {3, true, 0}, {0.25, false, 1}}
	dicts := []dict{{&red, &one, "x"}, {&blue, nil, "y"}, {nil, &two, "x"}, {&red, &one, "y"}}
	return [][]byte{
		encodeParquet(tb, flats),
		encodeParquet(tb, flats, parquet.MaxRowsPerRowGroup(2), parquet.DataPageVersion(1)),
		encodeParquet(tb, dicts),
		encodeParquet(tb, dicts, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(3)),
		encodeParquet(tb, flats, parquet.Compression(&parquet.Gzip)),
		encodeParquet(tb, flats, parquet.Compression(&parquet.Zstd)),
		encodeParquet(tb, dicts, parquet.Compression(&parquet.Lz4Raw)),
		encodeParquet(tb, dicts, parquet.Compression(&parquet.Brotli)),
	}
}

func FuzzReadParquet(f *testing.F) {
	for _, b := range parquetSeeds(f) {
		f.Add(b, false)
		f.Add(b, true)
	}
	crash, err := os.ReadFile(filepath.Join("testdata", "pageindex-crash.parquet"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(crash, false)
	f.Add([]byte("PAR1"), false)
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"), false)
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	f.Fuzz(func(t *testing.T, b []byte, allowMissing bool) {
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		d, err := readParquet(bytes.NewReader(b), int64(len(b)), "fuzz.parquet", Options{AllowMissing: allowMissing})
		metrics.Read(allocs)
		// The inputs are small; a gigabyte means a size was trusted.
		if n := allocs[0].Value.Uint64() - before; n > 1<<30 {
			t.Fatalf("reading %d bytes allocated %d bytes", len(b), n)
		}
		if err != nil {
			var ie *trial.InputError
			if !errors.As(err, &ie) || ie.File != "fuzz.parquet" {
				t.Fatalf("error %v is not bad input naming the file", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("ReadParquet returned a dataset that fails Validate: %v", err)
		}
		if !allowMissing && d.HasMissing() {
			t.Fatal("missing cells without AllowMissing")
		}
	})
}
