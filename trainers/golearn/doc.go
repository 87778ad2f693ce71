// Package golearn adapts models of github.com/sjwhitworth/golearn (pure
// Go parts only: its knn and linear_models packages need cgo and are never
// imported) to the trainers.Learner contract. golearn reads data through
// its base.FixedDataGrid interface; Fit and Predict hand it a frame, this
// package's read-only grid over the packed Matrix (grid.go), with a
// categorical class attribute whose values are "0".."Classes-1", so a
// class's system value is its index. golearn's own DenseInstances finds an
// attribute by comparing names with every attribute on each read, which
// made conversion and lookups most of a fit.
//
//   - bernoulli_nb: naive.BernoulliNBClassifier. golearn requires binary
//     attributes, so features are binarized here as x > binarize (sklearn's
//     BernoulliNB rule). golearn smooths with (n+1)/(N+1) where sklearn
//     uses (n+1)/(N+2); accuracies agree within about 0.005. golearn picks
//     among exactly tied classes in map order, so exact ties (rare; they need
//     identical per-class counts) can predict either class. It fails to fit
//     when a class has no feature above the threshold in any row (golearn
//     would panic; this package returns an error instead). Predict does
//     PredictOne's arithmetic without calling it: golearn's learned
//     probabilities are read once after Fit (its fields are unexported
//     and it has no accessor, so through reflect, read-only) and their
//     logs laid out flat, so each class's score is the same float64
//     PredictOne computes, without its log and string-keyed map lookup
//     per feature, class and row; exact ties go to the lowest class
//     index (TestBernoulliScoresArePredictOnes).
//   - id3: trees.ID3DecisionTree's algorithm (information gain, binary
//     splits at midpoints of numeric features) through trees.InferID3Tree,
//     called once per node on a frame of the node's rows (golearn's views
//     of views cost a map lookup per value per level), with this package's
//     rule generator: golearn's information-gain rule (same thresholds and
//     entropy) reimplemented so that it scans attributes in column order
//     and classes in index order, since golearn's own one breaks ties
//     between attributes in map order (a trial's score varied between
//     runs), and over columns sorted once per fit (held as ranks when they
//     have at most 256 values); it also adds min_samples_split and checks
//     ctx (id3grow.go, id3rule.go). Each node's majority
//     class is recomputed after fitting with ties going to the lowest class
//     index, since golearn breaks them in map order. golearn's pruning
//     (PruneSplit) is not offered: with numeric features its Prune never
//     recurses below the root and draws its hold-out split from the global
//     math/rand source. golearn's ID3 removes a feature from a node's
//     subtree once the node splits on it, so a path never splits twice on
//     one feature, unlike scikit-learn's trees.
//
// golearn has no probability output for either, so they implement only
// trainers.Estimator, and trainers.Persistent (persist.go): id3's bytes
// are golearn's tree, node by node, rebuilt into golearn's own
// DecisionTreeNodes on restore; bernoulli_nb's are golearn's learned
// counts and probabilities, from which a restored model predicts as
// above (golearn's classifier cannot be rebuilt from outside its
// package but by its Load, which reads a file). Neither writes to stdout: the golearn APIs used here
// do not print, which a test checks.
package golearn
