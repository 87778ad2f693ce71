package refit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// irisSpec is a study of a random forest on the bundled iris data.
func irisSpec() *search.Spec {
	return &search.Spec{Name: "iris-rf", Dataset: "iris", Task: trial.Classification, Metric: "accuracy", Direction: trial.Maximize}
}

func irisBase() worker.Request {
	return worker.Request{Study: "iris-rf", Dataset: worker.DatasetRef{Name: "iris"}, Task: trial.Classification, Metric: "accuracy", CV: trial.CV{Folds: 3}}
}

// irisResults are three trials: 1 the best, 2 failed.
func irisResults() []trial.Result {
	rf := func(n int, trees float64, score float64, state trial.State) trial.Result {
		return trial.Result{Number: n, Model: "random_forest", Params: trial.Params{"n_estimators": trees, "max_depth": 3.0},
			Seed: uint64(100 + n), Score: score, State: state}
	}
	return []trial.Result{rf(0, 5, 0.90, trial.Complete), rf(1, 8, 0.95, trial.Complete), rf(2, 9, 0, trial.Failed)}
}

func TestPlanChoosesTheTrial(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		wantTrial int
		wantErr   string
	}{
		{"best", -1, 1, ""},
		{"second best by number", 0, 0, ""},
		{"failed trial", 2, 0, "trial 2 failed"},
		{"trial that never ran", 7, 0, "trial 7 has no result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := refit.Plan(irisSpec(), irisBase(), irisResults(), tt.n, "v")
			if tt.wantErr != "" {
				if !errors.Is(err, refit.ErrNoTrial) || !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrNoTrial saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Trial.Number != tt.wantTrial || req.Trial.Seed != uint64(100+tt.wantTrial) || req.Trial.Model != "random_forest" {
				t.Errorf("planned trial %+v, want trial %d with its seed", req.Trial, tt.wantTrial)
			}
			if req.Dataset.Name != "iris" || req.Version != "v" || req.CVScore == nil {
				t.Errorf("request %+v lost the base's dataset, the version or the score", req)
			}
		})
	}
	if _, err := refit.Plan(irisSpec(), irisBase(), nil, -1, "v"); !errors.Is(err, refit.ErrNoTrial) {
		t.Errorf("a study without results: err = %v, want ErrNoTrial", err)
	}
}

func TestPlanNothingToRefit(t *testing.T) {
	for name, spec := range map[string]*search.Spec{
		"objective": {Name: "b", Direction: trial.Minimize},
		"command":   {Name: "c", Command: []string{"./train.sh"}, Direction: trial.Minimize},
	} {
		_, err := refit.Plan(spec, worker.Request{}, irisResults(), -1, "v")
		if !errors.Is(err, refit.ErrNothingToRefit) || errors.Is(err, trial.ErrBadInput) {
			t.Errorf("%s: err = %v, want ErrNothingToRefit, not bad input", name, err)
		}
	}
}

// TestRefitSameSeedSameBytes: refitting a study twice, into two study
// directories, gives the same model file byte for byte, and a model that
// loads and predicts; another seed gives another file.
func TestRefitSameSeedSameBytes(t *testing.T) {
	ctx := context.Background()
	var files [2][]byte
	for i := range files {
		dir := t.TempDir()
		req, err := refit.Plan(irisSpec(), irisBase(), irisResults(), -1, "test")
		if err != nil {
			t.Fatal(err)
		}
		info, err := refit.Run(ctx, refit.Local{Worker: worker.New(nil)}, req, "local", refit.DirStore{StudyDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if files[i], err = os.ReadFile(refit.ModelPath(dir)); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(files[i])
		if info.SHA256 != hex.EncodeToString(sum[:]) || info.Bytes != len(files[i]) || info.Trial != 1 || info.Rows != 150 {
			t.Errorf("info %+v does not describe the file (sha256 %x, %d bytes) of trial 1 on 150 rows", info, sum, len(files[i]))
		}
		var onDisk refit.Info
		b, err := os.ReadFile(filepath.Join(dir, refit.Dir, refit.InfoFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &onDisk); err != nil || onDisk.SHA256 != info.SHA256 {
			t.Errorf("model.json: %v, %+v", err, onDisk)
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, refit.Dir)); len(entries) != 2 {
			t.Errorf("model directory holds %d entries, want model.hpm and model.json only", len(entries))
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("two refits of the same trial gave different model files")
	}
	m, err := model.Load(bytes.NewReader(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if m.Family != "random_forest" || m.Trial != 1 || m.Seed != 101 || m.Rows != 150 {
		t.Errorf("model %s trial %d seed %d rows %d, want random_forest trial 1 seed 101 on 150 rows", m.Family, m.Trial, m.Seed, m.Rows)
	}
	rs := irisResults()
	rs[1].Seed = 7
	req, _ := refit.Plan(irisSpec(), irisBase(), rs, -1, "test")
	other, err := refit.Local{Worker: worker.New(nil)}.Refit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, files[0]) {
		t.Error("another seed gave the same model file")
	}
}

func TestRefitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := refit.Plan(irisSpec(), irisBase(), irisResults(), -1, "test")
	dir := t.TempDir()
	_, err := refit.Run(ctx, refit.Local{Worker: worker.New(nil)}, req, "local", refit.DirStore{StudyDir: dir})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(refit.ModelPath(dir)); err == nil {
		t.Error("a cancelled refit left a model file")
	}
}
