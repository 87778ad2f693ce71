// Package metrics scores predictions with the metrics of trial.Metrics
// (accuracy, balanced_accuracy, f1_macro, log_loss, roc_auc, rmse, mae,
// r2), computed as scikit-learn 1.2's sklearn.metrics computes them, so a
// score found by hpsearch can be compared with one from scikit-learn.
//
// A metric that is undefined for the data it is given (roc_auc when y_true
// holds one class, r2 on one sample, anything on no samples) is an error
// wrapping ErrUndefined, never a panic or a NaN.
package metrics
