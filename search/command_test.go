package search

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

const commandSpec = `name: my-sgd
command: [python3, train.py, --alpha, "{alpha}", "--loss={loss}"]
direction: maximize
metric: val_accuracy
timeout: 10m
early_stopping: {type: median, budget: step, min: 3}
search: {method: tpe, max_trials: 30, parallel: 2}
parameters:
  alpha: {min: 1.0e-6, max: 1.0, log: true}
  loss: [hinge, log_loss]
`

func TestCommandSpec(t *testing.T) {
	s := parse(t, commandSpec)
	if !s.IsCommand() || !slices.Equal(s.Command, []string{"python3", "train.py", "--alpha", "{alpha}", "--loss={loss}"}) {
		t.Errorf("command = %q", s.Command)
	}
	if s.Direction != trial.Maximize || s.Metric != "val_accuracy" || s.TrialTimeout().Minutes() != 10 {
		t.Errorf("direction, metric, timeout = %s %s %v", s.Direction, s.Metric, s.TrialTimeout())
	}
	if len(s.Models) != 1 || s.Models[0].Model != CommandModel || len(s.Models[0].Params) != 2 {
		t.Fatalf("models = %+v", s.Models)
	}
	if !s.EarlyStopping.InTrial() || s.EarlyStopping.Min != 3 {
		t.Errorf("early stopping = %+v", s.EarlyStopping)
	}
	smp, err := NewSampler(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, halving := smp.(*halving); halving {
		t.Error("in-trial early stopping wrapped the sampler in rungs of trials")
	}
	tr, ok := smp.Ask(0)
	if !ok || tr.Model != CommandModel || tr.Budget.Name != "" {
		t.Errorf("Ask(0) = %+v, %v", tr, ok)
	}
	// spec.json read back validates to itself.
	raw, _ := json.Marshal(s)
	var back Spec
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(testCatalog); err != nil {
		t.Fatalf("Validate(spec.json): %v", err)
	}
	again, _ := json.Marshal(&back)
	if string(again) != string(raw) {
		t.Errorf("spec.json changed on validation:\n%s\n%s", raw, again)
	}
}

func TestCommandAsOneString(t *testing.T) {
	s := parse(t, "name: x\ncommand: python3 'my train.py' --lr {lr}\ndirection: minimize\nparameters:\n  lr: {min: 0.1, max: 1}\n")
	if want := []string{"python3", "my train.py", "--lr", "{lr}"}; !slices.Equal(s.Command, want) {
		t.Errorf("command = %q, want %q", s.Command, want)
	}
	if s.Metric != "score" {
		t.Errorf("metric = %q, want the default score", s.Metric)
	}
}

// TestCommandSpecErrors: each mistake is an error naming the file, the
// line and the field.
func TestCommandSpecErrors(t *testing.T) {
	const head = "name: x\ncommand: [./train.sh, \"{lr}\"]\ndirection: maximize\n"
	const params = "parameters:\n  lr: {min: 0.1, max: 1}\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"command with model", head + "model: knn\n" + params, "spec.yaml:4: model: command and model are alternatives"},
		{"command with models", head + "models:\n  - {model: knn}\n", "spec.yaml:4: models: command and models are alternatives"},
		{"missing direction", "name: x\ncommand: [./t.sh]\n" + params, "spec.yaml: direction: is required with command"},
		{"bad direction", "name: x\ncommand: [./t.sh]\ndirection: maximise\n" + params, `spec.yaml:3: direction: must be maximize or minimize, not "maximise"; did you mean "maximize"?`},
		{"placeholder naming no parameter", "name: x\ncommand: [./t.sh, \"--x={lrr}\"]\ndirection: minimize\n" + params, `spec.yaml:2: command[1]: placeholder {lrr} names no parameter; did you mean "lr"?`},
		{"parameter not a placeholder name", head + "parameters:\n  lr: [1]\n  learning-rate: {min: 0.1, max: 1}\n", `spec.yaml:6: parameters.learning-rate: "learning-rate" cannot be a placeholder`},
		{"empty command", "name: x\ncommand: []\ndirection: minimize\n" + params, "spec.yaml:2: command: is empty"},
		{"unterminated quote", "name: x\ncommand: \"python3 'train.py\"\ndirection: minimize\n" + params, "spec.yaml:2: command: unterminated ' quote"},
		{"no parameters", head, "spec.yaml: parameters: is required with command"},
		{"dataset", head + "dataset: iris\n" + params, "spec.yaml:4: dataset: applies to model studies only"},
		{"bad timeout", head + "timeout: 10 minutes\n" + params, `spec.yaml:4: timeout: "10 minutes" is not a duration`},
		{"hyperband", head + "early_stopping: {type: hyperband, budget: step}\n" + params, "early_stopping.type: hyperband starts configurations"},
		{"budget not step", head + "early_stopping: {type: median, budget: epochs}\n" + params, `early_stopping.budget: a command study's budget is step, the steps it reports, not "epochs"`},
		{"median with max", head + "early_stopping: {type: median, budget: step, max: 9}\n" + params, "early_stopping.max: applies to type: asha only"},
		{"asha max below min", head + "early_stopping: {type: asha, budget: step, min: 4, max: 2}\n" + params, "early_stopping.max: max 2 must be above min 4"},
		{"pruning on lambda", head + "backend: {type: lambda}\nearly_stopping: {type: median, budget: step}\n" + params, "early_stopping: in-trial pruning runs with backend: local only"},
		{"direction in a model study", "name: x\ndataset: iris\nmodel: knn\ndirection: minimize\nparameters:\n  n_neighbors: [1, 2]\n", "spec.yaml:4: direction: applies to command studies only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.yaml), "spec.yaml", testCatalog)
			if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error =\n%v\nwant bad input containing\n%s", err, tc.want)
			}
		})
	}
}

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{"python3 train.py --epochs 20", []string{"python3", "train.py", "--epochs", "20"}},
		{`sh -c 'echo {"score":1}'`, []string{"sh", "-c", `echo {"score":1}`}},
		{`a "b \"c\" $d" e\ f ''`, []string{"a", `b "c" $d`, "e f", ""}},
		{"  spaced\tout \n", []string{"spaced", "out"}},
	}
	for _, tc := range cases {
		got, err := SplitCommand(tc.line)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `trailing\`} {
		if _, err := SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%q) succeeded", bad)
		}
	}
}

func FuzzSplitCommand(f *testing.F) {
	f.Add(`python3 'a b' "c\"d" e\ f`)
	f.Fuzz(func(t *testing.T, line string) {
		words, err := SplitCommand(line)
		if err != nil {
			return
		}
		// Quoting every word and splitting again gives the same words.
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
		}
		again, err := SplitCommand(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, words) {
			t.Errorf("%q: words %q requoted split to %q, %v", line, words, again, err)
		}
	})
}

// FuzzParseCommand checks that no command spec makes Parse panic, and
// that one it accepts yields a sampler and a pruner that work.
func FuzzParseCommand(f *testing.F) {
	f.Add(commandSpec)
	f.Add("name: x\ncommand: python3 t.py {a}\ndirection: minimize\nearly_stopping: {type: asha, budget: step, min: 2, max: 20, eta: 2}\nparameters:\n  a: [1, 2]\n")
	f.Add("name: x\ncommand: [a, '{b}']\ndirection: up\ntimeout: -1s\nmodel: knn\nparameters:\n  b-c: 1\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		s, err := parseErr(yaml)
		if err != nil {
			checkProblems(t, err)
			return
		}
		smp, err := NewSampler(s)
		if err != nil {
			t.Fatalf("valid spec, no sampler: %v", err)
		}
		p, err := NewPruner(s)
		if err != nil {
			t.Fatalf("valid spec, no pruner: %v", err)
		}
		for n := range 3 {
			tr, _ := smp.Ask(n)
			steps := []trial.Step{{Step: 1, Value: 0.5}, {Step: 3, Value: 0.25}}
			if p != nil {
				p.Prune(steps)
				p.Tell(trial.Result{Number: n, State: trial.Complete, Params: tr.Params, Steps: steps})
			}
		}
	})
}
