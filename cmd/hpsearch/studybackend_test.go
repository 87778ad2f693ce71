package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
)

func TestResumeBackend(t *testing.T) {
	lambdaRec := map[string]any{"type": "lambda", "function": "f", "bucket": "b", "region": "eu-west-1", "concurrency": float64(40)}
	for _, tt := range []struct {
		name    string
		stored  map[string]any
		flags   backendFlags
		change  bool
		want    backendFlags
		changed string // the backend it changed from, "" for none
		refused bool
	}{
		{name: "lambda study, no flags: its backend and settings",
			stored: lambdaRec,
			want:   backendFlags{kind: "lambda", function: "f", bucket: "b", region: "eu-west-1", concurrency: 40}},
		{name: "lambda study, the same backend named, another concurrency",
			stored: lambdaRec, flags: backendFlags{kind: "lambda", bucket: "b", concurrency: 5},
			want: backendFlags{kind: "lambda", function: "f", bucket: "b", region: "eu-west-1", concurrency: 5}},
		{name: "lambda study, --backend local refused",
			stored: lambdaRec, flags: backendFlags{kind: "local"}, refused: true},
		{name: "lambda study, another bucket refused",
			stored: lambdaRec, flags: backendFlags{bucket: "other"}, refused: true},
		{name: "lambda study, another function refused",
			stored: lambdaRec, flags: backendFlags{kind: "lambda", function: "g"}, refused: true},
		{name: "lambda study, --backend local --change-backend",
			stored: lambdaRec, flags: backendFlags{kind: "local"}, change: true,
			want: backendFlags{kind: "local"}, changed: "lambda (function f, bucket b, region eu-west-1)"},
		{name: "lambda study, another bucket --change-backend keeps the rest",
			stored: lambdaRec, flags: backendFlags{bucket: "other"}, change: true,
			want: backendFlags{kind: "lambda", function: "f", bucket: "other", region: "eu-west-1", concurrency: 40}, changed: "lambda (function f, bucket b, region eu-west-1)"},
		{name: "local study, no flags: local",
			stored: map[string]any{"type": "local"}, want: backendFlags{kind: "local"}},
		{name: "local study, --backend lambda refused",
			stored: map[string]any{"type": "local"}, flags: backendFlags{kind: "lambda"}, refused: true},
		{name: "local study, --backend lambda --change-backend",
			stored: map[string]any{"type": "local"}, flags: backendFlags{kind: "lambda"}, change: true,
			want: backendFlags{kind: "lambda"}, changed: "local"},
		{name: "local study, --change-backend naming its own backend",
			stored: map[string]any{"type": "local"}, flags: backendFlags{kind: "local"}, change: true,
			want: backendFlags{kind: "local"}},
		{name: "study from before the record: flags as given",
			stored: map[string]any{"function": "f"}, flags: backendFlags{kind: "lambda"},
			want: backendFlags{kind: "lambda"}},
		{name: "study from before the record, no flags: the spec decides",
			stored: nil, want: backendFlags{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bf := tt.flags
			from, err := resumeBackend(tt.stored, &bf, tt.change)
			if tt.refused {
				if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--change-backend") {
					t.Fatalf("err = %v, want a usage error that names --change-backend", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if bf != tt.want {
				t.Errorf("flags = %+v, want %+v", bf, tt.want)
			}
			got := ""
			if from != nil {
				got = from.String()
			}
			if got != tt.changed {
				t.Errorf("changed from %q, want %q", got, tt.changed)
			}
		})
	}
}

// A study records its backend in spec.json; a resume naming another is
// refused, exit 2, and changes nothing.
func TestStudyRecordsBackendAndResumeKeepsIt(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random, max_trials: 2, parallel: 1, seed: 1}\nparameters: {n_neighbors: {min: 1, max: 30}}\n")
	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--quiet"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(dir, "s")
	stored, err := readStudySpec(study)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Backend["type"] != "local" {
		t.Fatalf("spec.json's backend = %v, want type local", stored.Backend)
	}
	before := studyFiles(t, study)
	for _, args := range [][]string{
		{"resume", study, "--max-trials", "4", "--backend", "lambda"},
		{"run", spec, "--dir", dir, "--resume", "--max-trials", "4", "--backend", "lambda", "--function", "f"},
	} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.Contains(stderr, "the study runs on local") || !strings.Contains(stderr, "--change-backend") {
			t.Errorf("%v: exit %d, stderr %q; want 2, naming the study's backend and --change-backend", args, code, stderr)
		}
	}
	if after := studyFiles(t, study); !equalFiles(before, after) {
		t.Errorf("a refused resume changed the study")
	}
	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--name", "t", "--change-backend"); code != 2 || !strings.Contains(stderr, "--change-backend applies to a resume") {
		t.Errorf("--change-backend without --resume: exit %d, stderr %q", code, stderr)
	}
}

// A study whose record says lambda resumes on Lambda, not locally: here,
// with no Lambda there, the resume fails saying so instead of running
// the trials on this machine; --backend local --change-backend runs them
// here and says that the backend changed.
func TestResumeOfLambdaStudyUsesLambda(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random, max_trials: 2, parallel: 1, seed: 1}\nparameters: {n_neighbors: {min: 1, max: 30}}\n")
	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--quiet"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(dir, "s")
	recordLambda(t, study, map[string]any{"type": "lambda", "function": "hpsearch-test-none", "bucket": "bkt", "region": "eu-west-1", "concurrency": 3})
	// No AWS here: the AWS chain fails at once, with no credentials and
	// no instance metadata to ask.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
	before := studyFiles(t, study)
	code, _, stderr := run(t, "resume", study, "--max-trials", "4", "--quiet")
	if code != 1 || !strings.Contains(stderr, "lambda backend not ready") {
		t.Errorf("resume of a Lambda study with no Lambda: exit %d, stderr %q; want 1, Lambda not ready", code, stderr)
	}
	if after := studyFiles(t, study); !equalFiles(before, after) {
		t.Errorf("the failed resume ran trials: the journal changed")
	}
	code, _, stderr = run(t, "resume", study, "--max-trials", "4", "--quiet", "--backend", "local", "--change-backend")
	if code != 0 {
		t.Fatalf("resume --backend local --change-backend: exit %d: %s", code, stderr)
	}
	if want := "backend changed from lambda (function hpsearch-test-none, bucket bkt, region eu-west-1) to local"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
	j, err := results.Open(study)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := j.Replay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(results.Results(rp.Events)); n != 4 {
		t.Errorf("%d results after the resume, want 4", n)
	}
}

// recordLambda rewrites the backend record in a study's spec.json.
func recordLambda(t *testing.T, study string, rec map[string]any) {
	t.Helper()
	path := filepath.Join(study, results.SpecJSONFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["backend"] = rec
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// On the emulated Lambda, both directions: a Lambda study resumes on
// Lambda with its own settings though the environment changed; a local
// study resumes locally; each runs on the other backend only with
// --change-backend, which is said.
func TestResumeKeepsBackendOnEmulatedLambda(t *testing.T) {
	startEmulation(t, 2)
	bucket := os.Getenv("HPSEARCH_BUCKET")
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random, max_trials: 8, parallel: 1, seed: 1}\nparameters: {n_neighbors: {min: 1, max: 30}}\n")
	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--quiet", "--backend", "lambda", "--max-trials", "3"); code != 0 {
		t.Fatalf("lambda run: exit %d: %s", code, stderr)
	}
	lambdaStudy := filepath.Join(dir, "s")
	// The environment has changed since: the study's record wins.
	t.Setenv("HPSEARCH_BUCKET", "no-such-bucket")
	if code, _, stderr := run(t, "resume", lambdaStudy, "--quiet", "--max-trials", "5"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "resume", lambdaStudy, "--quiet", "--max-trials", "6", "--backend", "local"); code != 2 || !strings.Contains(stderr, "--change-backend") {
		t.Fatalf("resume --backend local: exit %d, stderr %q; want 2", code, stderr)
	}
	code, _, stderr := run(t, "resume", lambdaStudy, "--quiet", "--max-trials", "6", "--backend", "local", "--change-backend")
	if code != 0 || !strings.Contains(stderr, "backend changed from lambda (function ") || !strings.Contains(stderr, "to local") {
		t.Fatalf("resume --backend local --change-backend: exit %d, stderr %q", code, stderr)
	}
	checkBackends(t, lambdaStudy, "lambda", "lambda", "lambda", "lambda", "lambda", "local")

	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--name", "l", "--quiet", "--max-trials", "2"); code != 0 {
		t.Fatalf("local run: exit %d: %s", code, stderr)
	}
	localStudy := filepath.Join(dir, "l")
	if code, _, stderr := run(t, "resume", localStudy, "--quiet", "--max-trials", "3"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "resume", localStudy, "--quiet", "--max-trials", "4", "--backend", "lambda"); code != 2 || !strings.Contains(stderr, "the study runs on local") {
		t.Fatalf("resume --backend lambda: exit %d, stderr %q; want 2", code, stderr)
	}
	code, _, stderr = run(t, "resume", localStudy, "--quiet", "--max-trials", "4", "--backend", "lambda", "--bucket", bucket, "--change-backend")
	if code != 0 || !strings.Contains(stderr, "backend changed from local to lambda (function ") {
		t.Fatalf("resume --backend lambda --change-backend: exit %d, stderr %q", code, stderr)
	}
	checkBackends(t, localStudy, "local", "local", "local", "lambda")
}

// checkBackends checks on which backend each trial of a study ran, in
// trial order: a Lambda result records its invocation's attempt.
func checkBackends(t *testing.T, study string, want ...string) {
	t.Helper()
	j, err := results.Open(study)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := j.Replay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(want))
	for _, r := range results.Results(rp.Events) {
		if r.Number < 0 || r.Number >= len(got) {
			t.Fatalf("unexpected trial %d", r.Number)
		}
		got[r.Number] = "local"
		if _, ok := r.Backend["attempt"]; ok {
			got[r.Number] = "lambda"
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("trials ran on %v, want %v", got, want)
	}
}
