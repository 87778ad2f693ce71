// Package golearn adapts models of github.com/sjwhitworth/golearn (pure
// Go parts only: its knn and linear_models packages need cgo and are never
// imported) to the trainers.Learner contract. Each Fit converts the Matrix
// into a golearn base.DenseInstances with a categorical class attribute
// whose values are "0".."Classes-1", and Predict converts golearn's string
// predictions back to class indices.
//
//   - bernoulli_nb: naive.BernoulliNBClassifier. golearn requires binary
//     attributes, so features are binarized here as x > binarize (sklearn's
//     BernoulliNB rule). golearn smooths with (n+1)/(N+1) where sklearn
//     uses (n+1)/(N+2); accuracies agree within about 0.005. golearn picks
//     among exactly tied classes in map order, so exact ties (rare; they need
//     identical per-class counts) can predict either class. It fails to fit
//     when a class has no feature above the threshold in any row (golearn
//     would panic; this package returns an error instead).
//   - id3: trees.ID3DecisionTree's algorithm (information gain, binary
//     splits at midpoints of numeric features) through trees.InferID3Tree,
//     with this package's rule generator: golearn's information-gain rule
//     (same thresholds and entropy) reimplemented so that it scans
//     attributes in column order and classes in index order, since
//     golearn's own one breaks ties between attributes in map order (a
//     trial's score varied between runs); it also adds min_samples_split
//     and checks ctx. Each node's majority class is recomputed after fitting with ties
//     going to the lowest class index, since golearn breaks them in map
//     order. golearn's pruning (PruneSplit) is not offered: with numeric
//     features its Prune never recurses below the root and draws its
//     hold-out split from the global math/rand source.
//
// Both are much slower than the native families (bernoulli_nb packs every
// value into bytes and scores classes in a map; id3 builds a view of the
// data per node and re-sorts every feature at every node) and golearn has
// no probability output for them, so they implement only
// trainers.Estimator. Neither writes to stdout: the golearn APIs used here
// do not print, which a test checks.
//
// Build tag: golearn's base package imports github.com/rocketlaunchr/
// dataframe-go and friends, which the module's go.mod and go.sum do not
// list yet, so every file but this one is behind the "golearn" build tag
// and the package is empty (registers nothing) without it. To enable it,
// run `go get github.com/sjwhitworth/golearn/base@v0.0.0-20221228163002-74ae077eafb2`
// in the module root (it adds dataframe-go, x/exp, asciigraph,
// tablewriter, go-runewidth and go-cmp as indirect requirements) and
// delete the tag lines; until then test with `go test -tags golearn` in a
// copy of the module that has them.
package golearn
