// Package preprocess prepares features for a model the way a careful
// scikit-learn user does: inside each cross-validation fold. A Scaler
// (standard or minmax) and an Imputer (mean, median, most_frequent) are
// fitted on the training rows of a fold only and then transform both the
// training and the validation rows, so no statistic of the validation rows
// leaks into the model. A Pipeline chains them: impute, then scale.
//
// Statistics follow scikit-learn 1.2: StandardScaler's population standard
// deviation with near-constant columns left unscaled, MinMaxScaler to
// [0, 1], SimpleImputer on NaN cells.
package preprocess
