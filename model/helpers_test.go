package model_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// fitRequest is a refit of model with params on a dataset: a bundled
// name or a file path.
func fitRequest(dataset, family string, params trial.Params, seed uint64) model.FitRequest {
	ref := worker.DatasetRef{Name: dataset}
	if filepath.IsAbs(dataset) {
		ref = worker.DatasetRef{Path: dataset}
	}
	score := 0.9
	return model.FitRequest{
		Request: worker.Request{
			Study:   "test",
			Trial:   trial.Trial{Number: 3, Model: family, Params: params, Seed: seed},
			Dataset: ref,
			CV:      trial.CV{Folds: 5},
		},
		CVScore: &score,
		Version: "test",
	}
}

func fit(tb testing.TB, req model.FitRequest) *model.Model {
	tb.Helper()
	m, err := model.Fit(context.Background(), worker.New(nil), req)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func save(tb testing.TB, m *model.Model) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func load(tb testing.TB, data []byte) *model.Model {
	tb.Helper()
	m, err := model.Load(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func sameBits(tb testing.TB, what string, want, got []float64) {
	tb.Helper()
	if len(want) != len(got) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
			tb.Fatalf("%s: value %d is %v, want %v bit for bit", what, i, got[i], want[i])
		}
	}
}

// writeFile writes content to a file in a test's temporary directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func strconvFormat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
