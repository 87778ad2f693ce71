package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
)

// FormatVersion is the version of the model file format this package
// writes and reads.
const FormatVersion = 1

// magic starts the first line of every model file.
const magic = "hpsearch-model"

// MaxFileSize bounds the model file Load reads (a knn model holds its
// training rows).
const MaxFileSize = 4 << 30

// Errors of Load. All three wrap trial.ErrBadInput.
var (
	// ErrVersion is a model file of another format version, or not a
	// model file at all.
	ErrVersion = errors.New("unsupported model file format")
	// ErrChecksum is a model file whose content does not match its
	// checksum: it was changed or damaged after it was written.
	ErrChecksum = errors.New("model file checksum mismatch")
	// ErrDamaged is a model file that is cut short or whose content
	// cannot be read back into a model.
	ErrDamaged = errors.New("damaged model file")
)

// Errors of prediction. Both wrap trial.ErrBadInput.
var (
	// ErrMissingColumn is input without a column the model needs.
	ErrMissingColumn = errors.New("missing feature column")
	// ErrColumnType is a column whose cells are not what the model was
	// trained on: text where a number is needed, a category not seen in
	// training.
	ErrColumnType = errors.New("bad column value")
)

// Settings are the preprocessing settings a model was fitted with.
type Settings struct {
	// Scale is "standard", "minmax" or "none": the family's default
	// resolved, so it says what was applied.
	Scale string `json:"scale"`
	// Impute is "mean", "median", "most_frequent", or "" for none.
	Impute string `json:"impute,omitempty"`
	// Encoding is how string features were encoded, "onehot" or
	// "ordinal" ("" means onehot).
	Encoding string `json:"encoding,omitempty"`
}

// Model is a fitted model with what is needed to use it on new data and to
// say where it came from. The exported fields are its metadata, stored in
// the model file; the fitted preprocessing and estimator are restored by
// Load. A Model is safe for concurrent prediction: every call works on its
// own copies (estimators are not safe for concurrent use, so prediction
// calls are serialized per Model).
type Model struct {
	// Family is the model family, Params every one of its parameters.
	Family string       `json:"family"`
	Params trial.Params `json:"params"`
	// Task is classification or regression.
	Task trial.Task `json:"task"`
	// Target is the target column's name in the training data.
	Target string `json:"target"`
	// Classes are the class labels as written in the training data, in
	// class-index order; nil for regression.
	Classes []string `json:"classes,omitempty"`
	// Features are the estimator's input columns, in order.
	Features []string `json:"features"`
	// Categories holds, for each feature that is a string column encoded
	// ordinally in training, its categories in code order (the feature's
	// value is the index), so that predict takes the strings. Absent from
	// files written before it existed: such a model takes the codes.
	Categories map[string][]string `json:"categories,omitempty"`
	Preprocess Settings            `json:"preprocess"`
	// PreprocessState and EstimatorState are the fitted state.
	PreprocessState []byte `json:"preprocess_state"`
	EstimatorState  []byte `json:"estimator_state"`
	// Rows is the number of training rows.
	Rows int `json:"rows"`
	// DatasetSHA256 is the training dataset's content address.
	DatasetSHA256 string `json:"dataset_sha256"`
	// Metric and CVScore are the study's metric and the refitted trial's
	// cross-validated score; CVScore is nil when unknown.
	Metric  string   `json:"metric,omitempty"`
	CVScore *float64 `json:"cv_score,omitempty"`
	// Trial is the number of the trial refitted, Seed the seed of every
	// fit.
	Trial int    `json:"trial"`
	Seed  uint64 `json:"seed"`
	// Version is the version of hpsearch that fitted the model.
	Version string `json:"hpsearch_version"`

	pipe *preprocess.Pipeline
	est  trainers.Persistent
	mu   sync.Mutex // serializes the estimator's use
}

// Save writes m as a model file (see the package doc).
func (m *Model) Save(w io.Writer) error {
	if m.est == nil {
		return errors.New("model: save: the model has no fitted estimator (use Fit or Load)")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("model: save: %w", err)
	}
	sum := sha256.Sum256(body)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s %d\nsha256 %s\n", magic, FormatVersion, hex.EncodeToString(sum[:]))
	buf.Write(body)
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("model: save: %w", err)
	}
	return nil
}

// SaveFile writes m to path, replacing it only once the whole file is
// written.
func (m *Model) SaveFile(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("model: save: %w", err)
	}
	err = m.Save(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("model: save %s: %w", path, err)
	}
	return nil
}

// LoadFile reads the model file at path; its errors name the file.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w: %w", trial.ErrBadInput, err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Load reads a model file and restores its model. It refuses a file of
// another format version (ErrVersion), a damaged one (ErrDamaged) and one
// whose checksum does not match (ErrChecksum), all wrapping
// trial.ErrBadInput, and never panics.
func Load(r io.Reader) (*Model, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxFileSize+1))
	first, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && first != "") {
		return nil, loadError(ErrDamaged, "no header line: %v", readErr(err))
	}
	name, ver, _ := strings.Cut(strings.TrimSuffix(first, "\n"), " ")
	if name != magic {
		return nil, loadError(ErrVersion, "not an hpsearch model file (first line %q)", clip(first))
	}
	if v, err := strconv.Atoi(ver); err != nil || v != FormatVersion {
		return nil, loadError(ErrVersion, "format version %q; this hpsearch reads version %d", clip(ver), FormatVersion)
	}
	second, err := br.ReadString('\n')
	if err != nil {
		return nil, loadError(ErrDamaged, "no checksum line: %v", readErr(err))
	}
	want, ok := strings.CutPrefix(strings.TrimSuffix(second, "\n"), "sha256 ")
	if _, herr := hex.DecodeString(want); !ok || len(want) != 64 || herr != nil {
		return nil, loadError(ErrDamaged, "bad checksum line %q", clip(second))
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return nil, loadError(ErrDamaged, "%v", err)
	}
	if len(body)+len(first)+len(second) > MaxFileSize {
		return nil, loadError(ErrDamaged, "larger than %d bytes", MaxFileSize)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != want {
		return nil, loadError(ErrChecksum, "content sha256 %x, the file says %s: the file was changed or damaged after it was written", sum, want)
	}
	m := &Model{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(m); err != nil {
		return nil, loadError(ErrDamaged, "%v", err)
	}
	if dec.More() {
		return nil, loadError(ErrDamaged, "data after the model document")
	}
	if err := m.restore(); err != nil {
		return nil, loadError(ErrDamaged, "%v", err)
	}
	return m, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func loadError(sentinel error, format string, args ...any) error {
	return fmt.Errorf("model: load: %w: %w: %s", sentinel, trial.ErrBadInput, fmt.Sprintf(format, args...))
}

func clip(s string) string {
	s = strings.TrimSuffix(s, "\n")
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
