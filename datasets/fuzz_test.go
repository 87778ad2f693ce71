package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
	"testing"

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
