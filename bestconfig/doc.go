// Package bestconfig gives the best configuration of a study in the forms
// other tools accept: JSON for programs, YAML to paste back into a spec,
// and a scikit-learn estimator as a runnable Python snippet.
//
// Config is a trial's configuration as it ran: the family, every declared
// parameter with defaults filled in and the early-stopping budget applied
// (as the worker applies it), the study's preprocessing and task, and the
// seed. FromResult builds one from a journal's result.
//
// Sklearn translates a Config into the equivalent scikit-learn 1.2
// estimator: a Pipeline of SimpleImputer and StandardScaler or
// MinMaxScaler, impute first as in hpsearch, ending in the family's
// estimator, or the estimator alone when the trial had no preprocessing.
// Parameters whose encoding differs are translated (max_depth 0 is None,
// max_features "none" is None, hidden_layer_sizes "64,32" is (64, 32),
// batch_size 0 is "auto", ...), settings that hpsearch fixes and
// scikit-learn does not are written out (early_stopping=False,
// algorithm="brute", solver="adam"), and where a family has no exact
// scikit-learn equivalent (bernoulli_nb's smoothing, id3) the snippet says
// so in a comment. The mapping for every family is in docs/sklearn.md and
// in the per-family functions of families.go; a test checks that every
// registered learner and every parameter it declares is mapped.
//
// The test objectives (branin, hartmann6, rosenbrock, noop) have no
// estimator: Sklearn refuses them with ErrNoEstimator.
//
// Like the CLI's models command, this package looks families up in the
// trainers registry (for their declarations and default scaling); the
// program must import trainers/zoo (or the family packages) for them to
// be registered.
package bestconfig
