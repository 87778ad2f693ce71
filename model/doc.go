// Package model is the model a study ends in: one configuration refitted
// on every row of the dataset (Fit), saved to a model file (Save, Load),
// and used to predict from a matrix, from named columns or from a whole
// CSV or Parquet file streamed in chunks (Predict, PredictColumns,
// PredictFile, PredictCSV, PredictParquet). A Go service can load a model file and serve it with
// this package alone, without the CLI.
//
// # The model file, format version 1
//
// A model file is UTF-8 text: two header lines, then one JSON document.
//
//	hpsearch-model 1
//	sha256 <64 lowercase hex digits: the SHA-256 of every byte after this line>
//	{"family":"random_forest","params":{...},"task":"classification",...}
//
// The first line names the format and its version. A reader refuses a file
// whose first line is not "hpsearch-model N", and one whose N is not the
// version it reads (ErrVersion), before reading further. The second line
// is the checksum of the content, the JSON document's bytes exactly as
// stored; a mismatch, such as a file cut short or changed after it was
// written, is ErrChecksum. A missing or malformed checksum line, a
// document that is not the JSON below, unknown fields, or state the
// model's family cannot restore are ErrDamaged. All three wrap trial.ErrBadInput, so the CLI
// exits 2.
//
// The JSON document's fields (see Model for their meaning):
//
//	family            the model family ("random_forest"; see hpsearch models)
//	params            every parameter of the family, defaults filled in
//	task              "classification" or "regression"
//	target            the name of the target column in the training data
//	classes           classification: the class labels as written in the
//	                  data, in the order of class indices and of proba_ columns
//	features          the feature names in the order the estimator reads
//	                  them; a string column one-hot encoded in training
//	                  appears as one "column=value" feature per category
//	categories        optional: for each string column encoded ordinally
//	                  in training, its categories in code order
//	preprocess        {"scale", "impute", "encoding"}: the preprocessing
//	                  settings, the scale resolved to what was applied
//	preprocess_state  base64: the imputer's and scaler's fitted statistics
//	                  (preprocess.Pipeline.MarshalBinary)
//	estimator_state   base64: the fitted estimator
//	                  (trainers.Persistent.MarshalBinary, versioned by family)
//	rows              the number of training rows (all rows of the dataset)
//	dataset_sha256    the SHA-256 of the dataset's binary form
//	                  (datasets.Dataset.SHA256), as the study records it
//	metric, cv_score  the study's metric and the trial's cross-validated
//	                  score (absent when unknown)
//	trial, seed       the trial refitted and the seed every fit used
//	hpsearch_version  the version of hpsearch that wrote the file
//
// Writing is deterministic: the same configuration, seed and data give
// the same file, byte for byte (JSON with struct fields in this order and
// parameters sorted by name; estimators' bytes are deterministic by the
// trainers.Persistent contract).
//
// A change to the layout of the document or of any family's state that an
// older reader would misread changes the version: such a file is refused
// with ErrVersion, or, for a family's state, ErrDamaged naming the family's
// state version, rather than giving other predictions.
//
// # Predicting from columns
//
// Input columns are matched to the model's features by name, in any order;
// columns that are not features (the target among them) are ignored. A
// feature "c=v" of a one-hot encoded string column c is bound to an input
// column named c, holding the strings as written; a category not seen in
// training is an error naming the column. A string column encoded
// ordinally in training is given as its strings too (the model file keeps
// its categories in Categories), or as its numeric codes; a model file
// written before Categories existed takes only the codes. Missing cells (empty, NA,
// N/A, NaN, null) are imputed when the model was trained with imputation
// and refused otherwise. Input is read under package datasets' limits on a
// record, a cell and the columns of a file (datasets.MaxLineBytes,
// MaxCellBytes, MaxColumns; refusals wrap datasets.ErrLimit), but not on
// its rows, which are streamed.
package model
