// Package worker runs one trial: it loads the dataset (at most once per
// process), splits it into cross-validation folds (computed once per
// dataset and CV setting), fits the model on each training fold with
// preprocessing fitted on that fold only, and scores the validation fold.
//
// The same Worker.Run serves the local executor and the Lambda handler, so
// a trial's scores do not depend on where it ran. Where a trial has its
// dataset to itself (a Lambda runtime serving one invocation at a time),
// it reorders the dataset's rows in place for each fold instead of copying
// them, and puts them back (inplace.go): the trainer sees the same rows
// in the same order, and the function needs memory for one copy of the
// matrix, not two. A Lambda invocation may
// also be a refit (LambdaRequest.Refit, refit.go): the trial fitted on
// every row with the RefitFunc package refit registers, its model file
// stored under the study's results prefix. Main (main.go) is the whole
// main function of a Lambda worker: cmd/worker's, or yours with your own
// families registered.
package worker
