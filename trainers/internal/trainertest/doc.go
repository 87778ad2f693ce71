// Package trainertest holds the helpers that the trainers' tests share:
// the bundled CSVs in testdata (embedded, so every package's tests reach
// them by name), stratified k-fold splits, a standard scaler fitted on the
// training fold, and cross-validated scoring against scikit-learn's
// figures.
//
// It is an ordinary package so that tests in several packages can import
// it, but only _test.go files may: nothing that ships depends on it.
package trainertest
