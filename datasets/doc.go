// Package datasets loads tabular data for hpsearch: the five bundled
// datasets (iris, wine, breast_cancer, digits, diabetes), CSV files and
// Parquet files, into a [Dataset] — a dense row-major float64 matrix of
// features plus a label vector.
//
// Loading does the encoding that must be the same for every trial: string
// feature columns become one-hot (or ordinal) columns, class labels become
// indices 0..K-1, and the task is inferred from the target when not given.
// Anything fitted on data, such as scaling or imputation, is left to the
// trainers, which fit it per training fold.
//
// Bad input — a ragged row, a column of mixed numbers and strings, a missing
// cell, a target with one class — is reported as a [*trial.InputError] with
// the file, the 1-based file line (the header is line 1) and the column
// name, so errors.Is(err, trial.ErrBadInput) holds.
//
// Loaders read only regular files (a named pipe, socket, directory or
// device is refused without blocking, wrapping [ErrNotRegular]) and bound
// what an input can cost: [MaxFileSize], [MaxLineBytes], [MaxCellBytes],
// [MaxColumns] and [MaxCells], refused with [ErrLimit] naming the limit.
// A Parquet file is checked against the sizes it declares before the
// parquet library allocates them, and a panic inside that library on a
// malformed file becomes bad input naming the file.
//
// A Dataset also has a compact, content-addressed binary form
// ([Dataset.MarshalBinary], [UnmarshalBinary], [Dataset.SHA256]) used to
// ship it to workers once.
package datasets
