// Package refit turns a study into the model it was run for: it chooses
// the trial to refit (the best, or one named), has a Fitter fit that
// trial's configuration on every row of the study's dataset (package
// model's Fit, in this process or as one more Lambda invocation), and
// stores the model file in the study.
//
// # Where the model is stored
//
// A study directory gets a model/ directory with two files:
//
//	model/model.hpm    the model file (see package model; predict reads it)
//	model/model.json   Info: which trial, its parameters, seed and score,
//	                   the model file's sha256 and size, where it was fitted
//
// A study kept in S3 gets the same two objects under its prefix
// (<study>/model/model.hpm and <study>/model/model.json). On the Lambda
// backend the worker that fits the model stores it, as it stores a trial's
// result, under the study's results prefix (worker.ModelKey), and the
// caller copies it into the study.
//
// # Contract
//
// A refit is deterministic: the same study, trial and hpsearch version
// give the same model file, byte for byte, wherever it is fitted (the
// trial's seed seeds every fit; package model writes deterministically).
// A refit replaces the model a study had; the model file is written whole
// (a temporary file renamed into place) before model.json names it, so a
// reader never sees half a file.
//
// Studies without a dataset (objective functions, command and Go-function
// objectives) have nothing to refit: Plan returns ErrNothingToRefit,
// which callers report once and do not treat as a failure.
//
// Importing this package registers FitModel as the refit of the process's
// Lambda workers (worker.RegisterRefit): cmd/worker and hpsearch's own
// Lambda bootstrap import it.
package refit
