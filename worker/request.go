package worker

import "github.com/hpsearch/hpsearch/trial"

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
