package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Numbers out of range are usage errors naming the flag (exit 2), not
// defaults in disguise, in every command; and nothing is created.
func TestNumericFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random, max_trials: 2, parallel: 1, seed: 1}\nparameters: {n_neighbors: {min: 1, max: 30}}\n")
	if code, _, stderr := run(t, "run", spec, "--dir", dir, "--quiet"); code != 0 {
		t.Fatalf("setup run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(dir, "s")
	runs := filepath.Join(dir, "runs")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", spec, "--parallel", "-5"}, "--parallel must be at least 1, not -5"},
		{[]string{"run", spec, "--parallel", "0"}, "--parallel must be at least 1, not 0"},
		{[]string{"run", spec, "--parallel", "100000000"}, "--parallel must be at most 10000, not 100000000"},
		{[]string{"run", spec, "--max-trials", "-1"}, "--max-trials must be at least 1, not -1"},
		{[]string{"run", spec, "--max-trials", "0"}, "--max-trials must be at least 1, not 0"},
		{[]string{"run", spec, "--max-trials", "100000000"}, "--max-trials must be at most 10000000"},
		{[]string{"run", spec, "--top", "-1"}, "--top must be at least 0, not -1"},
		{[]string{"run", spec, "--seed", "-2"}, "--seed must be at least 0, not -2"},
		{[]string{"run", spec, "--seed", "-1"}, "--seed must be at least 0, not -1"},
		{[]string{"run", spec, "--estimate", "--calibrate", "0"}, "--calibrate must be at least 1, not 0"},
		{[]string{"run", spec, "--estimate", "--calibrate", "100000000"}, "--calibrate must be at most 1000, not 100000000"},
		{[]string{"run", spec, "--backend", "lambda", "--concurrency", "0"}, "--concurrency must be at least 1, not 0"},
		{[]string{"run", spec, "--backend", "lambda", "--concurrency", "-3"}, "--concurrency must be at least 1, not -3"},
		{[]string{"run", spec, "--backend", "lambda", "--concurrency", "100000000"}, "--concurrency must be at most 10000"},
		{[]string{"resume", study, "--parallel", "-5"}, "--parallel must be at least 1, not -5"},
		{[]string{"resume", study, "--max-trials", "0"}, "--max-trials must be at least 1, not 0"},
		{[]string{"validate", spec, "--estimate", "--calibrate", "-1"}, "--calibrate must be at least 1, not -1"},
		{[]string{"validate", spec, "--estimate", "--concurrency", "0"}, "--concurrency must be at least 1, not 0"},
		{[]string{"leaderboard", study, "--top", "-1"}, "--top must be at least 0, not -1"},
		{[]string{"report", study, "-o", filepath.Join(runs, "r.html"), "--top", "-1"}, "--top must be at least 0, not -1"},
		{[]string{"report", study, "-o", filepath.Join(runs, "r.html"), "--local-usd-per-hour", "-1"}, "--local-usd-per-hour: must be a positive price in US dollars, not -1"},
		{[]string{"compare", spec, "--local-usd-per-hour", "-1"}, "--local-usd-per-hour: must be a positive price in US dollars, not -1"},
		{[]string{"compare", spec, "--parallel", "0"}, "--parallel must be at least 1, not 0"},
		{[]string{"compare", spec, "--max-trials", "-1"}, "--max-trials must be at least 1, not -1"},
		{[]string{"compare", spec, "--concurrency", "-1"}, "--concurrency must be at least 1, not -1"},
		{[]string{"compare", spec, "--memory", "5"}, "--memory must be at least 128, not 5"},
		{[]string{"deploy", "--dry-run", "--memory", "0"}, "--memory must be at least 1, not 0"},
		{[]string{"deploy", "--dry-run", "--timeout", "-1"}, "--timeout must be at least 1, not -1"},
		{[]string{"deploy", "--dry-run", "--ephemeral", "0"}, "--ephemeral must be at least 1, not 0"},
	} {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			args := tt.args
			if args[0] == "run" || args[0] == "compare" {
				args = append(args, "--dir", runs)
			}
			code, _, stderr := run(t, args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
			}
			if _, err := os.Stat(runs); !os.IsNotExist(err) {
				t.Errorf("%v created %s", tt.args, runs)
			}
		})
	}
}

// A Lambda concurrency from the spec or $HPSEARCH_CONCURRENCY takes the
// same bounds as --concurrency, checked before anything reaches AWS.
func TestLambdaConcurrencyBounds(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, spec, env, want string
	}{
		{"spec too large", "name: s\ndataset: iris\nmodel: knn\nbackend: {type: lambda, concurrency: 100000000}\n", "", "spec.yaml:4: backend.concurrency: must be from 1 to 10000, not 1e+08"},
		{"spec zero", "name: s\ndataset: iris\nmodel: knn\nbackend: {type: lambda, concurrency: 0}\n", "", "spec.yaml:4: backend.concurrency: must be from 1 to 10000, not 0"},
		{"environment zero", "name: s\ndataset: iris\nmodel: knn\nbackend: {type: lambda}\n", "0", "$HPSEARCH_CONCURRENCY: 0: must be from 1 to 10000"},
		{"environment too large", "name: s\ndataset: iris\nmodel: knn\nbackend: {type: lambda}\n", "20000", "$HPSEARCH_CONCURRENCY: 20000: must be from 1 to 10000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HPSEARCH_CONCURRENCY", tt.env)
			spec := writeFile(t, dir, "spec.yaml", tt.spec)
			code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"))
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// The documented zeros and defaults still work: --top 0 shows every row.
func TestTopZeroShowsAll(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--max-trials", "12", "--parallel", "2", "--top", "0", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(out, " complete "); n != 12 {
		t.Errorf("run --top 0 printed %d rows, want 12:\n%s", n, out)
	}
	rows := leaderboardJSON(t, filepath.Join(dir, "digits-knn-grid"))
	if len(rows) != 12 {
		t.Errorf("leaderboard --top 0 shows %d rows, want 12", len(rows))
	}
}
