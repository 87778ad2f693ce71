package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// datasetFile is a study's record of the local file its dataset was read
// from, the "dataset_file" of its spec.json: the spec may name it by a
// path relative to the spec file, which the study directory does not
// hold, so a resume reads the file from Path; SHA256 lets it refuse a
// file that changed, whose scores would not compare with the study's.
// Studies from before the record have none and resume as they did.
type datasetFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// studyRecord is what a study's spec.json holds: the resolved spec and,
// for a dataset in a local file, the record of that file.
type studyRecord struct {
	*search.Spec
	DatasetFile *datasetFile `json:"dataset_file,omitempty"`
}

// studySpecJSON returns the spec.json of a study of spec whose trials
// share the request base: the resolved spec with, when its dataset is a
// local file (not bundled, not in S3), the file's absolute path and
// sha256.
func studySpecJSON(spec *search.Spec, base *worker.Request) ([]byte, error) {
	rec := studyRecord{Spec: spec}
	if base != nil && localDatasetFile(spec.Dataset) && base.Dataset.Path != "" {
		sum, err := fileSHA256(base.Dataset.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: dataset: %v", trial.ErrBadInput, err)
		}
		rec.DatasetFile = &datasetFile{Path: base.Dataset.Path, SHA256: sum}
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	return b, nil
}

// localDatasetFile reports whether a spec's dataset names a local file.
func localDatasetFile(ds string) bool {
	return ds != "" && !strings.HasPrefix(ds, "s3://") && !datasets.IsBundled(ds)
}

// fileSHA256 returns the hex sha256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// recordedDatasetFile returns the dataset_file record of a spec.json, nil
// when it has none (a bundled or S3 dataset, or a study from before the
// record) or cannot be read.
func recordedDatasetFile(specJSON []byte) *datasetFile {
	var rec struct {
		DatasetFile *datasetFile `json:"dataset_file"`
	}
	if json.Unmarshal(specJSON, &rec) != nil || rec.DatasetFile == nil || !filepath.IsAbs(rec.DatasetFile.Path) {
		return nil
	}
	return rec.DatasetFile
}

// checkDatasetUnchanged refuses to resume a study, whose spec.json is
// stored, with a dataset file whose content is not the one the study
// started with, as recorded in specJSON, the resuming spec's: the new
// trials' scores would not compare with the old ones'. A study without
// the record passes.
func checkDatasetUnchanged(stored, specJSON []byte) error {
	was, now := recordedDatasetFile(stored), recordedDatasetFile(specJSON)
	if was == nil || now == nil || was.SHA256 == now.SHA256 {
		return nil
	}
	where := now.Path
	if now.Path != was.Path {
		where = fmt.Sprintf("%s (the study started on %s)", now.Path, was.Path)
	}
	return fmt.Errorf("%w: the dataset %s has changed since the study started (sha256 %s, now %s): its new trials would not compare with the old; restore the file, or start a new study with --name",
		trial.ErrBadInput, where, was.SHA256, now.SHA256)
}
