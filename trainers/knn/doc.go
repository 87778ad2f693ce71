// Package knn registers "knn", k-nearest-neighbours classification and
// regression with scikit-learn's parameter names and results
// (KNeighborsClassifier and KNeighborsRegressor with algorithm="brute").
//
// Prediction is brute force. Fit packs the training rows once for the
// kernels of trainers/internal/dense. Euclidean distances come from one
// blocked matrix product per block of query rows, using ||a||² + ||b||² −
// 2a·b; Manhattan distances are summed by a kernel of the same shape. The
// k nearest training rows are selected without sorting the rest. Among
// rows equally distant at the k-th place the one that comes first in the
// training data is kept. That is scikit-learn's rule too in almost every
// case; its max-heap can, rarely, evict the earlier of two tied rows, so
// on digits with k=100 one prediction in 1797 differs. Votes tied between
// classes go to the lowest class, as in scikit-learn.
package knn
