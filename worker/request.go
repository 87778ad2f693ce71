package worker

import (
	"fmt"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
)

// Request is everything one trial execution needs: the trial and the
// study-level settings. It is the Lambda payload, so it carries a
// reference to the dataset, never the data.
type Request struct {
	Study      string           `json:"study"`
	Trial      trial.Trial      `json:"trial"`
	Dataset    DatasetRef       `json:"dataset"`
	Target     string           `json:"target,omitempty"`
	Task       trial.Task       `json:"task,omitempty"`
	Metric     string           `json:"metric"`
	CV         trial.CV         `json:"cv"`
	Preprocess trial.Preprocess `json:"preprocess,omitempty"`
	// Command, when set, makes the trial a run of the user's own program
	// (a command study; see package commandrun for the protocol) instead
	// of a model: Command is the program and its arguments, Workdir the
	// directory it runs in, CommandTimeoutMS its timeout (0: none). A
	// Lambda function runs it only if configured to (EnvCommands).
	Command          []string `json:"command,omitempty"`
	Workdir          string   `json:"workdir,omitempty"`
	CommandTimeoutMS int64    `json:"command_timeout_ms,omitempty"`

	// pruning, set by the Lambda handler (LambdaRequest.PrunePollMS),
	// judges a command's intermediate values away from the worker.
	pruning commandrun.Pruner
	// logs, set by the Lambda handler when the request names a results
	// location, stores a command's log in S3 (see LogKey).
	logs *logStore
}

// DatasetRef names a dataset. Exactly one form is used: Name (bundled),
// Path (a local file, for the local executor), or Bucket+Key+SHA256 (a
// dataset pushed to S3 in the binary form of package datasets).
type DatasetRef struct {
	Name   string `json:"name,omitempty"`
	Path   string `json:"path,omitempty"`
	Bucket string `json:"bucket,omitempty"`
	Key    string `json:"key,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Validate checks the study-level settings of a request with the checks
// spec validation applies to a spec (trial.Trial.Check, trial.CheckTask,
// trial.CV.Check, trial.Preprocess.Check, trial.CheckMetric), so a
// payload the CLI would have refused is refused here too, whoever sent
// it. The metric is checked against the task once the data gives it (see
// Worker.Run); the parameters against the model's declarations by
// trainers.Resolve. Its error wraps trial.ErrBadInput and a
// *trial.SettingError naming the setting.
func (r Request) Validate() error {
	err := r.Trial.Check()
	if err == nil {
		err = trial.CheckTask(r.Task)
	}
	if err == nil {
		err = r.CV.Check()
	}
	if err == nil {
		err = r.Preprocess.Check()
	}
	if err == nil && r.Metric != "" {
		err = trial.CheckMetric(r.Metric, r.Task)
	}
	if err != nil {
		return fmt.Errorf("%w: invalid request: %w", trial.ErrBadInput, err)
	}
	return nil
}
