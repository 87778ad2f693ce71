package trainertest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// CheckPersistent checks the trainers.Persistent contract for one family
// and configuration: it fits l with p on every row of d, seeded with
// seed, and requires that
//   - an unfitted estimator refuses to marshal;
//   - two fits marshal to the same bytes, and marshalling twice too;
//   - an estimator built by l.New and restored from the bytes predicts
//     (and, for a ProbaEstimator, gives probabilities) bit for bit as the
//     fitted one, and marshals to the same bytes again;
//   - truncations of the bytes (all of them for short encodings), the bytes with one more byte, and the
//     bytes with any single byte flipped are refused with
//     trainers.ErrBadState or restore without a panic.
//
// It returns the bytes, for a fuzz corpus.
func CheckPersistent(tb testing.TB, l trainers.Learner, p trial.Params, d Dataset, seed uint64) []byte {
	tb.Helper()
	cfg := trainers.Config{Task: d.Task(), Classes: d.Classes, Seed: seed}
	fresh := func() trainers.Persistent {
		tb.Helper()
		e, ok := New(tb, l, p, cfg).(trainers.Persistent)
		if !ok {
			tb.Fatalf("%s: estimator is not trainers.Persistent", l.Info().Name)
		}
		return e
	}
	fit := func() trainers.Persistent {
		tb.Helper()
		e := fresh()
		if err := e.Fit(context.Background(), d.X, d.Y); err != nil {
			tb.Fatal(err)
		}
		return e
	}
	if _, err := fresh().MarshalBinary(); err == nil {
		tb.Error("an unfitted estimator marshalled without an error")
	}
	a := fit()
	data, err := a.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	again, _ := a.MarshalBinary()
	other, _ := fit().MarshalBinary()
	if !bytes.Equal(data, again) || !bytes.Equal(data, other) {
		tb.Errorf("marshalling is not deterministic: %d, %d and %d bytes differ", len(data), len(again), len(other))
	}

	b := fresh()
	if err := b.UnmarshalBinary(data); err != nil {
		tb.Fatal(err)
	}
	SameBits(tb, "Predict", a.Predict(d.X), b.Predict(d.X))
	if pa, ok := a.(trainers.ProbaEstimator); ok && cfg.Task == trial.Classification {
		SameBits(tb, "PredictProba", pa.PredictProba(d.X).Data, b.(trainers.ProbaEstimator).PredictProba(d.X).Data)
	}
	if re, _ := b.MarshalBinary(); !bytes.Equal(re, data) {
		tb.Error("the restored estimator marshals to other bytes")
	}

	// Every truncation of a short encoding; of a long one, the first
	// 2 KiB and a spread of lengths after.
	for n := 0; n < len(data); n = nextCut(n, len(data)) {
		if err := fresh().UnmarshalBinary(data[:n]); !errors.Is(err, trainers.ErrBadState) {
			tb.Fatalf("truncated to %d of %d bytes: got %v, want ErrBadState", n, len(data), err)
		}
	}
	if err := fresh().UnmarshalBinary(append(bytes.Clone(data), 0)); !errors.Is(err, trainers.ErrBadState) {
		tb.Errorf("a trailing byte: got %v, want ErrBadState", err)
	}
	// Flipped bytes may still decode (a weight's bits), but must not
	// panic; check a spread of positions, the header always.
	step := max(1, len(data)/512)
	for i := 0; i < len(data); i += step {
		g := bytes.Clone(data)
		g[i] ^= 0xff
		Unmarshal(tb, fresh(), g)
	}
	return data
}

func nextCut(n, size int) int {
	if n < 2048 {
		return n + 1
	}
	return n + max(1, size/512)
}

// Unmarshal calls e.UnmarshalBinary(data) and fails the test if it
// panics or returns an error not wrapping trainers.ErrBadState.
func Unmarshal(tb testing.TB, e trainers.Persistent, data []byte) {
	tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			tb.Fatalf("UnmarshalBinary(%d bytes) panicked: %v", len(data), r)
		}
	}()
	if err := e.UnmarshalBinary(data); err != nil && !errors.Is(err, trainers.ErrBadState) {
		tb.Fatalf("UnmarshalBinary: %v does not wrap ErrBadState", err)
	}
}

// SameBits fails the test unless got and want hold the same float64 bits.
func SameBits(tb testing.TB, what string, want, got []float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			tb.Fatalf("%s: value %d is %v, want %v bit for bit", what, i, got[i], want[i])
		}
	}
}
