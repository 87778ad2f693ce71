package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/cost"
)

// compare runs the example locally and on the emulation, finds the same
// scores on both, and leaves compare.json where report finds it.
func TestCompareOnEmulatedLambda(t *testing.T) {
	startEmulation(t, 2)
	dir := t.TempDir()
	code, out, stderr := run(t, "compare", "../../examples/digits-knn-grid.yaml", "--dir", dir,
		"--max-trials", "6", "--concurrency", "100", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var c cost.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if !c.Emulated || c.Concurrency != 100 || c.Local.Trials != 6 || c.Lambda.Trials != 6 {
		t.Errorf("comparison header: emulated %v, concurrency %d, trials %d/%d", c.Emulated, c.Concurrency, c.Local.Trials, c.Lambda.Trials)
	}
	if !c.SameBest || c.ScoresCompared != 6 || c.ScoresDiffering != 0 {
		t.Errorf("same best %v, %d of %d scores differ; want the same scores", c.SameBest, c.ScoresDiffering, c.ScoresCompared)
	}
	if c.Lambda.Cost.Invocations != 6 || c.Lambda.Cost.Estimated != 0 || c.Lambda.USD <= 0 || c.Local.USD <= 0 {
		t.Errorf("lambda cost %+v, local %+v", c.Lambda.Cost, c.Local.Cost)
	}
	if p := c.Projection; p.Waves != 1 || p.ColdStarts != 6 || p.WallSeconds <= 0 {
		t.Errorf("projection %+v", p)
	}
	for _, side := range []string{"digits-knn-grid-local", "digits-knn-grid-lambda"} {
		if _, err := os.Stat(filepath.Join(dir, side, cost.ComparisonFile)); err != nil {
			t.Errorf("%s: %v", side, err)
		}
	}

	html := filepath.Join(t.TempDir(), "report.html")
	code, _, stderr = run(t, "report", filepath.Join(dir, "digits-knn-grid-lambda"), "-o", html)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Local versus Lambda", "lambda (emulated)", "Best score equal on both sides", "<svg"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// Without a Lambda backend compare says to start the emulation, and runs
// nothing.
func TestCompareWithoutLambdaSaysRunEmulate(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	dir := t.TempDir()
	code, _, stderr := run(t, "compare", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--quiet")
	if code != 1 || !strings.Contains(stderr, "hpsearch emulate") {
		t.Errorf("exit %d, stderr %q; want 1 and a hint to run hpsearch emulate", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("compare created %d entries in --dir", len(entries))
	}
}

func TestReportPNGAndUsage(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "run", "../../examples/branin-sobol.yaml", "--dir", dir, "--max-trials", "12", "--quiet")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("want one study in %s, got %d", dir, len(entries))
	}
	study := filepath.Join(dir, entries[0].Name())
	figures := filepath.Join(t.TempDir(), "figures")
	code, out, stderr := run(t, "report", study, "--format", "png", "-o", figures)
	if code != 0 {
		t.Fatalf("report png: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "best-over-trials.png") || !strings.Contains(out, "parallel-coordinates.png") {
		t.Errorf("report png wrote:\n%s", out)
	}
	for _, args := range [][]string{
		{"report", study}, // no -o
		{"report", study, "-o", "x", "--format", "pdf"}, // unknown format
		{"report", "-o", "x"},                           // no study
	} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := run(t, "report", t.TempDir(), "-o", filepath.Join(t.TempDir(), "r.html")); code != 2 || !strings.Contains(stderr, "not a study directory") {
		t.Errorf("report of a non-study: exit %d, %q", code, stderr)
	}
}

// Bad input to compare is refused before either side runs: exit 2, a
// message naming the field, and nothing written to --dir.
func TestCompareBadInput(t *testing.T) {
	t.Setenv("HPSEARCH_REGION", "")
	example, err := os.ReadFile("../../examples/digits-knn-grid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	spec := func(name, extra string) string { return writeFile(t, in, name, string(example)+extra) }
	tests := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{name: "max_cost without a priced backend",
			args: []string{spec("maxcost.yaml", "stop: {max_cost: 1}\n")},
			want: []string{"maxcost.yaml:", "stop.max_cost", "needs backend: lambda"}},
		{name: "zero price",
			args: []string{"../../examples/digits-knn-grid.yaml", "--prices", writeFile(t, in, "zero.yaml", "lambda_usd_per_gb_second_arm64: 0\n")},
			want: []string{"zero.yaml", "lambda_usd_per_gb_second_arm64", "must be a positive price"}},
		{name: "negative price",
			args: []string{"../../examples/digits-knn-grid.yaml", "--prices", writeFile(t, in, "neg.json", `{"s3_usd_per_thousand_put": -1}`)},
			want: []string{"neg.json", "s3_usd_per_thousand_put", "not -1"}},
		{name: "misspelt price",
			args: []string{"../../examples/digits-knn-grid.yaml", "--prices", writeFile(t, in, "typo.yaml", "lambda_gb_second: 1\n")},
			want: []string{"typo.yaml", "lambda_gb_second"}},
		{name: "unknown region",
			args: []string{spec("region.yaml", "backend: {type: lambda, region: us-east}\n")},
			want: []string{"backend.region", `"us-east" is not an AWS region`}},
		{name: "unknown architecture in the spec",
			args: []string{spec("arch.yaml", "backend: {type: lambda, arch: amd64}\n")},
			want: []string{"backend.arch", "arm64 or x86_64"}},
		{name: "unknown architecture flag",
			args: []string{"../../examples/digits-knn-grid.yaml", "--arch", "aarch64"},
			want: []string{"arch", `"aarch64"`}},
		{name: "no spec", args: nil, want: []string{"want one SPEC.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"compare", "--dir", dir, "--quiet"}, tt.args...)
			code, _, stderr := run(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("compare created %d entries in --dir", len(entries))
			}
		})
	}
}
