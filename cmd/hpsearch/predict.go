package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newPredictCmd) }

// newPredictCmd builds "hpsearch predict".
func newPredictCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "predict STUDY_DIR|MODEL.hpm --input FILE [--output FILE] [--proba]",
		Short: "predict new rows with a study's refitted model or a model file",
		Long: `Predicts every row of a CSV or Parquet file (by its extension: .parquet or
.pq, else CSV) with the model a study ended in (STUDY_DIR/model/model.hpm,
see hpsearch refit), a model file, or the s3:// URL of a study kept in S3.

Columns are matched to the model's features by name, in any order; other
columns, the target among them, are ignored. A string column the model
one-hot encoded holds its categories as written in the training data.
Missing cells (empty, NA, NaN, null) are imputed when the model was
trained with imputation.

The output is CSV, on stdout unless --output names a file (written whole,
then renamed into place): one row per input row, in order, with a column
named after the training data's target holding the predicted label as it
was written in the data (or the predicted value, for regression), and
with --proba one proba_<class> column per class.

The input is read, predicted and written in chunks of rows, so any number
of rows fits in bounded memory.

Exit codes: 0 ok, 1 failure, 2 bad input (a missing feature column, a
cell of the wrong type, an empty file, a study without a model, a model
file of another format version or damaged) or usage, 130 interrupted.`,
		Example: `  hpsearch predict hpsearch-runs/iris-forest --input new.csv
  hpsearch predict model.hpm --input new.parquet --output predictions.csv --proba`,
	}
	fs := cmd.Flags()
	input := fs.StringP("input", "i", "", "the CSV or Parquet `FILE` of rows to predict (required)")
	output := fs.StringP("output", "o", "", "write the predictions to `FILE` instead of stdout")
	proba := fs.Bool("proba", false, "add a proba_<class> column per class (classification)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) != 1 {
			return usageErr("want one STUDY_DIR or model file, got %d arguments", len(pos))
		}
		if *input == "" {
			return usageErr("--input FILE is required: the rows to predict")
		}
		ctx := cmd.Context()
		m, err := loadModel(ctx, pos[0])
		if err != nil {
			return err
		}
		return predict(ctx, e, m, *input, *output, *proba)
	}
	return cmd
}

// loadModel reads the model of the study at src (a directory or an
// s3:// URL: its model/model.hpm) or the model file src.
func loadModel(ctx context.Context, src string) (*model.Model, error) {
	if s3journal.IsURL(src) {
		loc, err := parseStudyURL(src)
		if err != nil {
			return nil, err
		}
		api, err := newS3Client(ctx, "")
		if err != nil {
			return nil, err
		}
		name := refit.Dir + "/" + refit.ModelFile
		b, err := s3journal.ReadFile(ctx, api, loc, name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has no model (%s): refit it with: hpsearch refit %s", trial.ErrBadInput, src, name, src)
		}
		if err != nil {
			return nil, err
		}
		m, err := model.Load(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", loc, name, err)
		}
		return m, nil
	}
	st, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	}
	path := src
	if st.IsDir() {
		path = refit.ModelPath(src)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has no model (%s): refit it with: hpsearch refit %s", trial.ErrBadInput, src, filepath.Join(refit.Dir, refit.ModelFile), src)
		}
	}
	return model.LoadFile(path)
}

// predict writes m's predictions of the rows in input to output (stdout
// when "").
func predict(ctx context.Context, e *env, m *model.Model, input, output string, proba bool) error {
	opts := model.StreamOptions{Name: input, Proba: proba}
	if output == "" {
		w := bufio.NewWriterSize(e.stdout, 1<<16)
		if _, err := m.PredictFile(ctx, input, w, opts); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".tmp-*")
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	_, err = m.PredictFile(ctx, input, w, opts)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), output)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
