package wire_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

func encode() []byte {
	w := wire.NewWriter("test", 3)
	w.Uint(300)
	w.Int(-7)
	w.Bool(true)
	w.Float(math.Copysign(0, -1))
	w.String("héllo")
	w.Floats([]float64{1.5, math.Inf(-1)})
	w.Ints([]int{-1, 0, 1 << 40})
	return w.Bytes()
}

func TestRoundTrip(t *testing.T) {
	r := wire.NewReader(encode(), "test", 3)
	if v := r.Uint(); v != 300 {
		t.Errorf("Uint = %d", v)
	}
	if v := r.Int(); v != -7 {
		t.Errorf("Int = %d", v)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if v := r.Float(); v != 0 || !math.Signbit(v) {
		t.Errorf("Float = %v, want -0", v)
	}
	if v := r.String(); v != "héllo" {
		t.Errorf("String = %q", v)
	}
	if v := r.Floats(); !slices.Equal(v, []float64{1.5, math.Inf(-1)}) {
		t.Errorf("Floats = %v", v)
	}
	if v := r.Ints(); !slices.Equal(v, []int{-1, 0, 1 << 40}) {
		t.Errorf("Ints = %v", v)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// readAll decodes data as TestRoundTrip's layout, for the error cases.
func readAll(data []byte, name string, version uint64) error {
	r := wire.NewReader(data, name, version)
	r.Uint()
	r.Int()
	r.Bool()
	r.Float()
	_ = r.String()
	r.Floats()
	r.Ints()
	return r.Close()
}

func TestRefusesBadInput(t *testing.T) {
	good := encode()
	for n := range len(good) {
		if err := readAll(good[:n], "test", 3); !errors.Is(err, trainers.ErrBadState) {
			t.Errorf("truncated to %d bytes: got %v, want ErrBadState", n, err)
		}
	}
	cases := map[string]error{
		"trailing":      readAll(append(slices.Clone(good), 0), "test", 3),
		"other name":    readAll(good, "tset", 3),
		"other version": readAll(good, "test", 4),
	}
	for name, err := range cases {
		if !errors.Is(err, trainers.ErrBadState) {
			t.Errorf("%s: got %v, want ErrBadState", name, err)
		}
	}
	// A huge length is refused before anything is allocated.
	w := wire.NewWriter("test", 3)
	w.Uint(1 << 62)
	r := wire.NewReader(w.Bytes(), "test", 3)
	if v := r.Floats(); v != nil || !errors.Is(r.Err(), trainers.ErrBadState) {
		t.Errorf("huge length: %d values, err %v", len(v), r.Err())
	}
}

func FuzzReader(f *testing.F) {
	f.Add(encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readAll(data, "test", 3)
	})
}
