// Package bayes provides naive_bayes, Gaussian naive Bayes as in
// scikit-learn's GaussianNB: per-class feature means and variances, the
// variances widened by var_smoothing times the largest feature variance,
// class priors from class frequencies, and probabilities normalized in log
// space. Fitting is one pass over the data; it has no randomness and needs
// no scaling.
package bayes
