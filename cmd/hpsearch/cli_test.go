package main

import (
	"encoding/json"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// TestExitCodesAndStreams: bad input of every kind (a spec that is not
// there, a name nothing declares, a bucket S3 would refuse, wherever it
// comes from) exits 2, naming it, before any request to AWS; usage goes
// to standard error when it reports a mistake and to standard output
// when asked for.
func TestExitCodesAndStreams(t *testing.T) {
	dir := t.TempDir()
	badBucketSpec := writeFile(t, dir, "bucket.yaml", `name: b
dataset: iris
model: knn
backend: {type: lambda, bucket: Bad_Bucket}
parameters:
  n_neighbors: {min: 1, max: 5}
`)
	s3DatasetSpec := writeFile(t, dir, "s3ds.yaml", `name: b
dataset: s3://Bad_Bucket/../x.csv
model: knn
parameters:
  n_neighbors: {min: 1, max: 5}
`)
	spec := "../../examples/digits-knn-grid.yaml"
	for _, tc := range []struct {
		name       string
		args       []string
		env        map[string]string
		code       int
		stdout     string // a part of stdout; "-" for empty
		stderr     string // a part of stderr; "-" for empty
		notInOut   string // must not be in stdout
		notInError string // must not be in stderr
	}{
		{name: "bare", args: nil, code: 2, stdout: "-", stderr: "Usage:\n  hpsearch [flags]\n  hpsearch [command]"},
		{name: "help", args: []string{"--help"}, code: 0, stdout: "Usage:\n  hpsearch [flags]\n  hpsearch [command]", stderr: "-"},
		{name: "unknown command", args: []string{"nosuch"}, code: 2, stdout: "-", stderr: `unknown command "nosuch"`},
		{name: "missing spec", args: []string{"validate", dir + "/nope.yaml"}, code: 2, stdout: "-", stderr: "nope.yaml"},
		{name: "missing spec to run", args: []string{"run", dir + "/nope.yaml", "--dir", dir}, code: 2, stderr: "nope.yaml"},
		{name: "missing study", args: []string{"leaderboard", dir + "/nostudy"}, code: 2, stderr: "nostudy"},
		{name: "unknown model", args: []string{"models", "nosuch"}, code: 2, stdout: "-", stderr: `unknown model "nosuch"`},
		{name: "bad --bucket", args: []string{"run", spec, "--dir", dir, "--backend", "lambda", "--bucket", "Bad_Bucket/../x"},
			code: 2, stdout: "-", stderr: `bucket name "Bad_Bucket/../x"`},
		{name: "bad --bucket to validate", args: []string{"validate", spec, "--bucket", "my..bucket"},
			code: 2, stdout: "-", stderr: "-bucket: bucket name"},
		{name: "bad push --bucket", args: []string{"datasets", "push", "iris", "--bucket", "Bad_Bucket/../x"},
			code: 2, stdout: "-", stderr: "-bucket: bucket name"},
		{name: "bad deploy --bucket", args: []string{"deploy", "--bucket", "UPPER", "--dry-run"},
			code: 2, stdout: "-", stderr: "-bucket: bucket name"},
		{name: "bad $HPSEARCH_BUCKET", args: []string{"run", spec, "--dir", dir, "--backend", "lambda"},
			env: map[string]string{"HPSEARCH_BUCKET": "Bad_Bucket"}, code: 2, stderr: "$HPSEARCH_BUCKET: bucket name"},
		{name: "bad $HPSEARCH_BUCKET to push", args: []string{"datasets", "push", "iris"},
			env: map[string]string{"HPSEARCH_BUCKET": "Bad_Bucket"}, code: 2, stderr: "$HPSEARCH_BUCKET: bucket name"},
		{name: "bad backend.bucket", args: []string{"run", badBucketSpec, "--dir", dir},
			code: 2, stderr: "backend.bucket: bucket name"},
		{name: "bad s3:// dataset", args: []string{"validate", s3DatasetSpec},
			code: 2, stderr: "s3ds.yaml:2: dataset: bucket name"},
		{name: "bad s3:// --dir", args: []string{"run", spec, "--dir", "s3://Bad_Bucket/runs"},
			code: 2, stderr: `bucket name "Bad_Bucket"`},
		{name: "bad s3:// study", args: []string{"resume", "s3://Bad_Bucket/runs/x"},
			code: 2, stderr: `bucket name "Bad_Bucket"`},
		{name: "version flag", args: []string{"--version"}, code: 0, stdout: "hpsearch ", stderr: "-"},
		{name: "version command", args: []string{"version"}, code: 0, stdout: "hpsearch ", stderr: "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Were a check missing, the command would go to AWS: let it
			// fail at once rather than wait for an instance's metadata.
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_PROFILE", "")
			t.Setenv("HPSEARCH_BUCKET", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errOut := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			check := func(stream, got, want string) {
				switch {
				case want == "-" && got != "":
					t.Errorf("%s is not empty: %s", stream, got)
				case want != "" && want != "-" && !strings.Contains(got, want):
					t.Errorf("%s lacks %q: %s", stream, want, got)
				}
			}
			check("stdout", out, tc.stdout)
			check("stderr", errOut, tc.stderr)
		})
	}
}

// TestJSONKeysAreSnakeCase: every --json listing uses snake_case keys.
func TestJSONKeysAreSnakeCase(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(t *testing.T, path string, v any)
	walk = func(t *testing.T, path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !snake.MatchString(k) {
					t.Errorf("%s: key %q is not snake_case", path, k)
				}
				walk(t, path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(t, path+"[]", x)
			}
		}
	}
	for _, args := range [][]string{{"datasets", "--json"}, {"models", "--json"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			walk(t, "", v)
			if args[0] == "datasets" {
				var ds []bundledDataset
				if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) == 0 || ds[0].Rows == 0 || ds[0].Name == "" {
					t.Errorf("datasets --json = %v (%v), want rows and names", ds, err)
				}
			}
		})
	}
}

func TestWriteVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want []string
		not  []string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v1.2.3"}},
			[]string{"hpsearch v1.2.3 (go1.99 "}, []string{"revision", "modified"}},
		{"checkout", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-12-06T19:00:00Z"}}},
			[]string{"hpsearch (devel) revision 0123abcd modified 2026-12-06T19:00:00Z (go1.99 "}, nil},
		{"clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}},
			[]string{"hpsearch (devel) revision 0123abcd ("}, []string{"modified"}},
		{"no build info", nil, []string{"hpsearch unknown ("}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeVersion(&b, tc.info)
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%q lacks %q", b.String(), w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("%q has %q", b.String(), w)
				}
			}
		})
	}
}

// TestValidateSpaceSize: validate counts a grid's points (a float range
// with grid_points is a grid of that many, not "continuous"), the
// configurations of a finite space for the other methods, and says
// "1 point", not "1 points".
func TestValidateSpaceSize(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, model, search, params, want string
	}{
		{"float grid", "branin", "{method: grid}", "  x1: {min: -5, max: 10, grid_points: 35}\n  x2: {value: 1}", "space: 35 points\n"},
		{"one-point grid", "knn", "{method: grid}", "  n_neighbors: {value: 3}", "space: 1 point\n"},
		{"int grid", "knn", "{method: grid}", "  n_neighbors: {min: 1, max: 15}\n  weights: {values: [uniform, distance]}", "space: 30 points\n"},
		{"finite random", "knn", "{method: random, max_trials: 4}", "  n_neighbors: {min: 1, max: 3}\n  weights: {values: [uniform, distance]}", "space: 6 configurations\n"},
		{"one-configuration random", "knn", "{method: random, max_trials: 1}", "  n_neighbors: {value: 3}", "space: 1 configuration\n"},
		{"continuous random", "branin", "{method: random, max_trials: 4}", "  x1: {min: -5, max: 10, grid_points: 35}\n  x2: {value: 1}", "space: continuous\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataset := "dataset: iris\n"
			if tc.model == "branin" {
				dataset = ""
			}
			spec := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml",
				"name: s\n"+dataset+"model: "+tc.model+"\nsearch: "+tc.search+"\nparameters:\n"+tc.params+"\n")
			code, out, errOut := run(t, "validate", spec)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want 0 and %q:\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hpsearch-runs/digits", "hpsearch-runs/digits"},
		{"s3://bkt/runs/x", "s3://bkt/runs/x"},
		{"/tmp/my runs/x", "'/tmp/my runs/x'"},
		{"it's", `'it'\''s'`},
		{"$HOME/x", "'$HOME/x'"},
		{"", "''"},
	} {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
