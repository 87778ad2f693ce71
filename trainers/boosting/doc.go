// Package boosting provides the gradient_boosting model family:
// histogram-based gradient-boosted trees like scikit-learn's
// HistGradientBoostingClassifier and HistGradientBoostingRegressor (and
// LightGBM), with scikit-learn's parameter names and meanings.
//
// Each feature is cut into at most max_bins bins at quantiles of the
// training rows (at midpoints between distinct values when there are
// fewer), and every row is stored as one byte per feature, row-major for
// histograms (one row's bytes are one cache line; a feature-major layout
// measured slower here) with a column-major copy for partitioning rows
// at a split. Trees grow
// leaf-wise: the leaf whose best split gains most is split next, until
// max_leaf_nodes leaves. A node's gradient histogram is built only for
// the smaller child; the larger child's is the parent's minus it. The
// root's per-bin row counts are the same for every tree and are counted
// once per Fit; with squared error the hessians are those counts too.
//
// On amd64 the loops that take the time (summing rows into histograms,
// subtracting one from another, scanning a feature's bins for the best
// split) are in assembly, with portable Go versions that compute the same
// bits in the same order (they round every product explicitly, so a
// compiler that fuses multiply-adds, as on arm64 or with GOAMD64=v3, does
// not part them); the purego build tag selects those. Trees are
// walked branch-free for predictions, several rows at a time.
//
// Losses follow scikit-learn: squared error for regression (constant
// hessian), the logistic loss for two classes (one tree per iteration)
// and the softmax cross-entropy for more (one tree per class per
// iteration). Unlike scikit-learn, whose default early_stopping='auto'
// holds out 10% of the data and stops early when there are more than
// 10,000 rows, this package never stops early: max_iter is the budget
// that the search's pruners control.
//
// NaN values are binned after all numbers and so always go to the right
// child; scikit-learn instead learns a side for them.
//
// The only randomness is the subsample of 200,000 rows used to find bin
// edges on larger data, drawn from Config.Seed.
package boosting
