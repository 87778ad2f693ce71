package model

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// DefaultChunkRows is the number of rows a stream reads, predicts and
// writes at a time when StreamOptions.ChunkRows is 0.
const DefaultChunkRows = 1 << 15

// ErrEmptyInput is an input with no header or no rows. It wraps
// trial.ErrBadInput.
var ErrEmptyInput = errors.New("no rows to predict")

// StreamOptions say how PredictCSV, PredictParquet and PredictFile read
// and write.
type StreamOptions struct {
	// Name names the input in errors, usually its path.
	Name string
	// Proba adds a proba_<class> column per class, in the order of the
	// model's Classes (classification only).
	Proba bool
	// ChunkRows is the number of rows held at a time; 0 means
	// DefaultChunkRows. Memory is bounded by about three chunks of
	// features (one being read, one predicted, one written) whatever the
	// size of the input. A Parquet input is read a row group at a time.
	ChunkRows int
}

func (o StreamOptions) chunkRows() int {
	if o.ChunkRows > 0 {
		return o.ChunkRows
	}
	return DefaultChunkRows
}

// PredictCSV reads rows from the CSV in r (a header row, then one row per
// line) and writes CSV to w: a header naming the model's target (and
// proba_<class> columns when asked), then one row per input row with the
// predicted label as written in the training data or the predicted value.
// Columns are matched by name (see the package doc); the target and other
// extra columns are ignored. It reads, predicts and writes in chunks of
// rows, reading the next chunk while one is predicted.
//
// Bad input is a *trial.InputError naming the file, the line and the
// column: a missing feature column (ErrMissingColumn), a cell that does
// not fit its column (ErrColumnType), a ragged row, or an input without a
// header or rows (ErrEmptyInput). After an error, w holds an incomplete
// output, to be discarded. It
// returns the number of rows predicted, and ctx.Err() when cancelled.
func (m *Model) PredictCSV(ctx context.Context, r io.Reader, w io.Writer, opts StreamOptions) (int, error) {
	cr := csv.NewReader(bufio.NewReaderSize(newLineGuard(r, opts.Name), 1<<20))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return 0, &trial.InputError{File: opts.Name, Msg: "the file is empty; want a header row and rows", Err: ErrEmptyInput}
	}
	if err != nil {
		return 0, csvError(err, opts.Name)
	}
	// Header names as package datasets reads them: a byte-order mark
	// and surrounding spaces dropped.
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	if err := checkHeader(header, opts.Name, 1); err != nil {
		return 0, err
	}
	b, err := m.Bind(header)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", opts.Name, err)
	}
	cr.FieldsPerRecord = len(header)
	size := opts.chunkRows()
	read := func(ctx context.Context, X trainers.Matrix) (int, error) {
		n := 0
		for n < size {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return n, csvError(err, opts.Name)
			}
			if i := longCell(rec); i >= 0 {
				line, _ := cr.FieldPos(i)
				return n, cellLimitError(opts.Name, line, header[i], len(rec[i]))
			}
			if err := b.Fill(X.Row(n), rec); err != nil {
				line, _ := cr.FieldPos(0)
				return n, inputError(err, opts.Name, line, "")
			}
			n++
		}
		return n, nil
	}
	return m.stream(ctx, read, w, opts)
}

func csvError(err error, file string) error {
	var ie *trial.InputError
	if errors.As(err, &ie) {
		return ie // a limit of the line guard
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &trial.InputError{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fmt.Errorf("model: read %s: %w", file, err)
}

// stream runs read (which fills up to a chunk of rows into X and returns
// how many, 0 at the end) in one goroutine and prediction and writing in
// this one, a chunk apart.
func (m *Model) stream(ctx context.Context, read func(context.Context, trainers.Matrix) (int, error), w io.Writer, opts StreamOptions) (int, error) {
	if opts.Proba && !m.CanPredictProba() {
		return 0, fmt.Errorf("model: predict: %w: a %s %s model gives no class probabilities", trial.ErrBadInput, m.Task, m.Family)
	}
	size := opts.chunkRows()
	out := newPredictionWriter(w, m, opts.Proba)
	// Two buffers circulate: one being read, one being predicted.
	free := make(chan trainers.Matrix, 2)
	for range 2 {
		free <- trainers.NewMatrix(size, len(m.Features))
	}
	full := make(chan trainers.Matrix)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(full)
		for {
			var X trainers.Matrix
			select {
			case X = <-free:
			case <-gctx.Done():
				return gctx.Err()
			}
			n, err := read(gctx, X)
			if err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			select {
			case full <- trainers.Matrix{Rows: n, Cols: X.Cols, Data: X.Data[:n*X.Cols]}:
			case <-gctx.Done():
				return gctx.Err()
			}
			if n < size {
				return nil
			}
		}
	})
	total := 0
	g.Go(func() error {
		for X := range full {
			p, err := m.predictLabels(X, opts.Proba)
			if err != nil {
				return fmt.Errorf("%s: rows %d to %d: %w", opts.Name, total+1, total+X.Rows, err)
			}
			if err := out.write(p); err != nil {
				return err
			}
			total += X.Rows
			// Never blocks: free has room for every buffer.
			free <- trainers.Matrix{Rows: size, Cols: X.Cols, Data: X.Data[:cap(X.Data)]}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return total, err
	}
	if err := ctx.Err(); err != nil {
		return total, err
	}
	if total == 0 {
		return 0, &trial.InputError{File: opts.Name, Msg: "the file has a header but no rows", Err: ErrEmptyInput}
	}
	return total, out.flush()
}

// predictionWriter writes predictions as CSV.
type predictionWriter struct {
	w      *bufio.Writer
	m      *Model
	proba  bool
	header bool
	buf    []byte
}

func newPredictionWriter(w io.Writer, m *Model, proba bool) *predictionWriter {
	return &predictionWriter{w: bufio.NewWriterSize(w, 1<<20), m: m, proba: proba}
}

func (pw *predictionWriter) write(p Predictions) error {
	b := pw.buf[:0]
	if !pw.header {
		pw.header = true
		b = appendField(b, pw.m.Target)
		if pw.proba {
			for _, c := range pw.m.Classes {
				b = append(b, ',')
				b = appendField(b, "proba_"+c)
			}
		}
		b = append(b, '\n')
	}
	// Labels repeat: quote each class once.
	var quoted []string
	if pw.m.Task == trial.Classification {
		quoted = make([]string, len(pw.m.Classes))
		for i, c := range pw.m.Classes {
			quoted[i] = string(appendField(nil, c))
		}
	}
	for i, v := range p.Values {
		if quoted != nil {
			b = append(b, quoted[int(v)]...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		if pw.proba {
			for _, q := range p.Proba.Row(i) {
				b = append(b, ',')
				b = strconv.AppendFloat(b, q, 'g', -1, 64)
			}
		}
		b = append(b, '\n')
	}
	pw.buf = b
	if _, err := pw.w.Write(b); err != nil {
		return fmt.Errorf("model: write predictions: %w", err)
	}
	return nil
}

func (pw *predictionWriter) flush() error {
	if err := pw.w.Flush(); err != nil {
		return fmt.Errorf("model: write predictions: %w", err)
	}
	return nil
}

// appendField appends s as a CSV field, quoted when it must be.
func appendField(b []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
