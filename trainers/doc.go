// Package trainers defines what a model family is (Learner for models
// trained on data, Objective for test functions that need none), the
// Estimator contract of one fitted model, the dense Matrix they share, and
// the registry that the CLI, the spec validator and the worker look models
// up in. The families themselves live in subpackages and register with
// Register from their init functions; import trainers/zoo to get them all.
package trainers
