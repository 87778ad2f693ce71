package lambdaexec

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// marshalRequest is the payload as encoding/json renders it.
func marshalRequest(t testing.TB, shape requestShape, tr trial.Trial) string {
	t.Helper()
	req := shape.base
	req.Trial = tr
	b, err := json.Marshal(worker.LambdaRequest{Request: req, Results: shape.results,
		TrialTimeoutMS: shape.trialTimeoutMS, PrunePollMS: shape.prunePollMS})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRequestEncoderIsEncodingJSON: one encoder, fed shapes and trials in
// turn (so its template is made, kept, and made again when the shape
// changes), renders every payload as json.Marshal does.
func TestRequestEncoderIsEncodingJSON(t *testing.T) {
	refs := &worker.ResultsRef{Bucket: "hpsearch", Prefix: "results/s/"}
	shapes := []requestShape{
		{base: worker.Request{Study: "sim20k", Metric: "score"}},
		{base: worker.Request{Study: "sim20k", Metric: "score"}, results: refs, trialTimeoutMS: 90000},
		{base: worker.Request{Study: "sim20k", Metric: "score"}, results: &worker.ResultsRef{Bucket: "hpsearch", Prefix: "results/t/"}},
		{base: worker.Request{Study: "<a&b>\u2028é", Target: "y", Task: trial.Classification, Metric: "accuracy",
			Dataset: worker.DatasetRef{Name: "iris", Bucket: "b", Key: "datasets/k", SHA256: "ab"}, CV: trial.CV{Folds: 5},
			Command: []string{"python", "train.py"}, Workdir: "/w", CommandTimeoutMS: 1000}, results: refs, prunePollMS: 500},
		{base: worker.Request{Study: "s", Command: []string{"python", "other.py"}}, results: refs, prunePollMS: 500},
		// The trial in Base is the caller's business: ignored.
		{base: worker.Request{Study: "s", Trial: trial.Trial{Number: 9, Model: "ignored"}}},
	}
	trials := []trial.Trial{
		{},
		{Number: 12345, Model: "noop", Params: trial.Params{"x": 0.8141865915075872}, Seed: 10451216379200822465, Attempt: 1},
		{Number: 3, Model: "svm", Params: trial.Params{"C": 1e-7, "kernel": "rbf", "shrinking": true, "degree": 3, "gamma": nil}, Seed: 1, Attempt: 2,
			Budget: trial.Budget{Name: "epochs", Value: 3, Rung: 1, Config: 7, Max: 81}},
		{Number: 4, Model: "m", Params: trial.Params{"list": []any{1, "a"}}, Attempt: 1}, // left to encoding/json
		{Number: 5, Model: "<m>", Params: trial.Params{}},
	}
	var enc requestEncoder
	for round := range 2 {
		for i, shape := range shapes {
			for j, tr := range trials {
				if shape.results != nil && round == 1 {
					// A ResultsRef changed in place is seen too.
					shape.results.Prefix += "x/"
				}
				got, err := enc.encode(shape, tr)
				if err != nil {
					t.Fatalf("shape %d, trial %d: %v", i, j, err)
				}
				if want := marshalRequest(t, shape, tr); string(got) != want {
					t.Errorf("shape %d, trial %d:\n got %s\nwant %s", i, j, got, want)
				}
			}
		}
	}
	if tmpl := newRequestTemplate(shapes[0]); !tmpl.ok {
		t.Error("a study's request is not cut around its trial: every payload goes through encoding/json")
	}
}

// TestSameSettingsComparesEveryField: a field added to worker.Request
// must be compared by sameSettings, or the executor would send a
// template made before the field changed.
func TestSameSettingsComparesEveryField(t *testing.T) {
	compared := []string{"Study", "Trial", "Dataset", "Target", "Task", "Metric", "CV", "Preprocess", "Command", "Workdir", "CommandTimeoutMS"}
	rt := reflect.TypeFor[worker.Request]()
	for i := range rt.NumField() {
		if f := rt.Field(i); f.IsExported() && !slices.Contains(compared, f.Name) {
			t.Errorf("worker.Request.%s is not compared by sameSettings: add it there and here", f.Name)
		}
	}
	// Each field compared counts: a request differing in one alone is
	// not the same.
	base := worker.Request{Study: "s", Dataset: worker.DatasetRef{Key: "k"}, Target: "y", Task: trial.Regression, Metric: "r2",
		CV: trial.CV{Folds: 3}, Preprocess: trial.Preprocess{Scale: "none"}, Command: []string{"a"}, Workdir: "w", CommandTimeoutMS: 1}
	for _, change := range []func(*worker.Request){
		func(r *worker.Request) { r.Study = "t" }, func(r *worker.Request) { r.Dataset.SHA256 = "x" },
		func(r *worker.Request) { r.Target = "z" }, func(r *worker.Request) { r.Task = trial.Classification },
		func(r *worker.Request) { r.Metric = "mae" }, func(r *worker.Request) { r.CV.Holdout = 0.2 },
		func(r *worker.Request) { r.Preprocess.Impute = "mean" }, func(r *worker.Request) { r.Command = []string{"a", "b"} },
		func(r *worker.Request) { r.Workdir = "v" }, func(r *worker.Request) { r.CommandTimeoutMS = 2 },
	} {
		other := base
		other.Command = slices.Clone(base.Command)
		change(&other)
		if sameSettings(&base, &other) {
			t.Errorf("%+v and %+v: same settings", base, other)
		}
	}
	other := base
	other.Trial = trial.Trial{Number: 1}
	if !sameSettings(&base, &other) {
		t.Error("requests differing in their trials only: not the same settings")
	}
}

// FuzzRequestEncoderIsEncodingJSON holds the encoder to json.Marshal for
// arbitrary studies, parameters and budgets.
func FuzzRequestEncoderIsEncodingJSON(f *testing.F) {
	f.Add("sim20k", "x", 0.5, "rbf", 3, uint64(7), "epochs", 1.5)
	f.Add("<&>", "\xff", -1e-9, "\u2028", 0, uint64(0), "", 0.0)
	f.Fuzz(func(t *testing.T, study, name string, x float64, s string, n int, seed uint64, budget string, bv float64) {
		shape := requestShape{base: worker.Request{Study: study, Metric: s}, results: &worker.ResultsRef{Bucket: "b", Prefix: study}}
		tr := trial.Trial{Number: n, Model: s, Params: trial.Params{name: x, name + "s": s}, Seed: seed, Attempt: n,
			Budget: trial.Budget{Name: budget, Value: bv}}
		req := shape.base
		req.Trial = tr
		want, wantErr := json.Marshal(worker.LambdaRequest{Request: req, Results: shape.results})
		var enc requestEncoder
		got, err := enc.encode(shape, tr)
		if (err != nil) != (wantErr != nil) || string(got) != string(want) {
			t.Fatalf("got %s (%v), want %s (%v)", got, err, want, wantErr)
		}
	})
}

func BenchmarkRequestEncoder(b *testing.B) {
	shape := requestShape{base: worker.Request{Study: "sim20k", Metric: "score",
		Dataset: worker.DatasetRef{Name: "iris", Bucket: "b", Key: "datasets/abc", SHA256: "0123456789abcdef"}},
		results: &worker.ResultsRef{Bucket: "hpsearch", Prefix: "results/sim20k/"}}
	tr := trial.Trial{Number: 12345, Model: "noop", Params: trial.Params{"x": 0.8141865915075872}, Seed: 10451216379200822465, Attempt: 1}
	b.Run("template", func(b *testing.B) {
		var enc requestEncoder
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enc.encode(shape, tr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			marshalRequest(b, shape, tr)
		}
	})
}
