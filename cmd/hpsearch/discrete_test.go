package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestSmallDiscreteSpaceRun: random and sobol search over a 6-point space
// with max_trials 20 run each configuration once and stop saying the
// space is exhausted; validate and run warn up front that the space is
// smaller than max_trials, and that a space of one configuration has
// nothing to search.
func TestSmallDiscreteSpaceRun(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, params string
		trials       int
		warning      string
	}{
		{"six-random", "  a: [1, 2, 3]\n  b: [10, 20]\n", 6,
			"search.max_trials: 20 trials asked, but the space has 6 configurations: random search runs each once and stops"},
		{"six-sobol", "  a: [1, 2, 3]\n  b: {min: 10, max: 20, step: 10}\n", 6,
			"search.max_trials: 20 trials asked, but the space has 6 configurations: sobol search runs each once and stops"},
		{"one", "  a: 1\n  b: [10]\n", 1,
			"parameters: the space has one configuration, so the study runs it once: nothing is searched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := strings.TrimPrefix(tc.name, "six-")
			if tc.name == "one" {
				method = "random"
			}
			spec := writeFile(t, dir, tc.name+".yaml", fmt.Sprintf("name: %s\nmodel: noop\nsearch: {method: %s, max_trials: 20}\nparameters:\n%s", tc.name, method, tc.params))
			code, _, stderr := run(t, "validate", spec)
			if code != 0 || !strings.Contains(stderr, "warning: "+spec+":") || !strings.Contains(stderr, tc.warning) {
				t.Errorf("validate: exit %d, stderr %q; want 0 and the warning %q", code, stderr, tc.warning)
			}
			code, out, stderr := run(t, "run", spec, "--dir", dir, "--parallel", "2", "--quiet")
			if code != 0 || !strings.Contains(stderr, tc.warning) {
				t.Fatalf("run: exit %d, stderr %q; want 0 and the warning %q", code, stderr, tc.warning)
			}
			if want := fmt.Sprintf(": %d complete, 0 pruned, 0 failed in", tc.trials); !strings.Contains(out, want) ||
				!strings.Contains(out, "(exhausted: every configuration in the space has been tried)") {
				t.Errorf("run output %q; want %q and the space exhausted", out, want)
			}
			code, out, stderr = run(t, "leaderboard", dir+"/"+tc.name, "--format", "json")
			if code != 0 {
				t.Fatalf("leaderboard: exit %d: %s", code, stderr)
			}
			var rows []struct {
				Params map[string]any `json:"params"`
			}
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("leaderboard json: %v\n%s", err, out)
			}
			seen := map[string]bool{}
			for _, r := range rows {
				k := fmt.Sprint(r.Params)
				if seen[k] {
					t.Errorf("configuration %s ranked twice", k)
				}
				seen[k] = true
			}
			if len(seen) != tc.trials {
				t.Errorf("leaderboard has %d configurations, want %d: %s", len(seen), tc.trials, out)
			}
		})
	}
}
