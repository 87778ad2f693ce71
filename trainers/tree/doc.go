// Package tree provides the decision_tree and random_forest model
// families: CART trees as in scikit-learn's DecisionTreeClassifier,
// DecisionTreeRegressor, RandomForestClassifier and RandomForestRegressor,
// with the same parameter names and meanings.
//
// Both families register themselves in init; import the package (or
// trainers/zoo) for its side effect.
//
// Splits are exact: each feature is sorted once per fit, every tree keeps
// its in-bag samples in per-feature sorted order, and a split stably
// partitions those orders so that children stay sorted without sorting
// again. A split sends a sample left when its value is at most the
// threshold, the midpoint between two consecutive distinct values, as in
// scikit-learn. NaN values are not supported.
//
// Randomness comes only from Config.Seed: tree t of a forest draws its
// bootstrap sample and its candidate features from a PCG generator seeded
// with (Seed, t), so a forest is the same whatever n_jobs is.
package tree
