package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

// studyJournal is a study's journal open for appending: a study
// directory's (results.Journal) or a study's in S3 (s3journal.Journal).
type studyJournal interface {
	results.Store
	// Dir is the study directory, or the study's s3:// URL.
	Dir() string
	// Scan hands fn the journal's events in order, holding none of them;
	// an error from fn stops it and is returned as it is.
	Scan(ctx context.Context, fn func(results.Event) error) (results.Scanned, error)
}

var (
	_ studyJournal = (*results.Journal)(nil)
	_ studyJournal = (*s3journal.Journal)(nil)
)

// newS3Client returns the client of studies kept in S3: the standard AWS
// configuration, with region if given, else $HPSEARCH_REGION, else the
// AWS chain's, and path-style addressing for an emulator.
func newS3Client(ctx context.Context, region string) (s3journal.API, error) {
	if region == "" {
		region = os.Getenv(lambdaexec.EnvRegion)
	}
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	awsCfg, err := loadAWSConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return s3data.NewClient(awsCfg, os.Getenv), nil
}

// parseStudyURL parses the s3:// URL of a study, s3://BUCKET/[PREFIX/]NAME.
func parseStudyURL(url string) (s3journal.Location, error) {
	loc, err := s3journal.Parse(url)
	if err != nil {
		return loc, err
	}
	if loc.Key == "" {
		return loc, fmt.Errorf("%w: %s names a bucket, not a study: give s3://BUCKET/PREFIX/NAME, the --dir of hpsearch run and the study's name",
			trial.ErrBadInput, url)
	}
	return loc, nil
}

// readS3StudySpec reads the resolved spec of the study at loc, or says
// that there is no study there.
func readS3StudySpec(ctx context.Context, api s3journal.API, loc s3journal.Location) (*search.Spec, []byte, error) {
	b, err := s3journal.ReadFile(ctx, api, loc, results.SpecJSONFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s is not a study (it has no %s); give the --dir of hpsearch run and the study's name, such as s3://BUCKET/runs/NAME",
			trial.ErrBadInput, loc, results.SpecJSONFile)
	}
	if err != nil {
		return nil, nil, err
	}
	var spec search.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, nil, fmt.Errorf("%w: %s/%s: %v", trial.ErrBadInput, loc, results.SpecJSONFile, err)
	}
	return &spec, b, nil
}

// openS3Study creates the study NAME under the s3:// URL dir, or with
// resume continues it if it exists (see resumeStreamed; recoverLost and
// top are as for openStudy). There is no lock to take: the journal
// itself refuses a second writer (see s3journal).
func openS3Study(ctx context.Context, e *env, api s3journal.API, dir string, spec *search.Spec, specJSON []byte, resume bool, recoverLost recoverFunc, top int) (*openedStudy, error) {
	parent, err := s3journal.Parse(dir)
	if err != nil {
		return nil, err
	}
	if err := results.CheckStudyName(spec.Name); err != nil {
		return nil, err
	}
	loc := parent.Join(spec.Name)
	if resume {
		found, err := s3journal.Exists(ctx, api, loc)
		if err != nil {
			return nil, err
		}
		if found {
			_, stored, err := readS3StudySpec(ctx, api, loc)
			if err != nil {
				return nil, err
			}
			if err := checkContinue(loc.String(), loc.String()+"/"+results.SpecJSONFile, stored, spec, specJSON); err != nil {
				return nil, err
			}
			reopen := func(fn func(results.Event) error, reset func()) (studyJournal, []string, error) {
				j, err := s3journal.ReopenScan(ctx, api, loc, fn, reset)
				if err != nil {
					return nil, nil, s3ReadError(err)
				}
				return j, nil, nil
			}
			peek := func(fn func(results.Event) error, reset func()) (studyJournal, error) {
				if err := s3journal.Scan(ctx, api, loc, fn, reset); err != nil {
					return nil, s3ReadError(err)
				}
				return s3journal.Open(api, loc), nil
			}
			return resumeStreamed(ctx, e, loc.String(), spec, recoverLost, top, reopen, peek)
		}
	}
	j, err := s3journal.Create(ctx, api, loc, spec.Raw(), specJSON)
	if err != nil {
		return nil, err
	}
	return &openedStudy{journal: j}, nil
}

// s3ReadError adds to an error reading a study's journal from S3, when it
// is damaged, that the study was left as it was.
func s3ReadError(err error) error {
	if errors.Is(err, results.ErrCorrupt) {
		return fmt.Errorf("%w\nthe study was left as it was. S3 writes a segment whole or not at all, so the journal was changed by something else than hpsearch", err)
	}
	return err
}

// resumeS3 resumes the study at the s3:// URL url as resume does a study
// directory: with its own spec.yaml, seed and max_trials, through run
// --resume. flags are run's flags for the resume.
func resumeS3(ctx context.Context, e *env, url string, flags []string) error {
	loc, err := parseStudyURL(url)
	if err != nil {
		return err
	}
	api, err := newS3Client(ctx, flagValue(flags, "region"))
	if err != nil {
		return err
	}
	stored, storedJSON, err := readS3StudySpec(ctx, api, loc)
	if err != nil {
		return err
	}
	parent, name := loc.Split()
	recorded := recordedDatasetFile(storedJSON)
	if ds := stored.Dataset; recorded == nil && ds != "" && !filepath.IsAbs(ds) && !strings.HasPrefix(ds, "s3://") && !datasets.IsBundled(ds) {
		return fmt.Errorf("%w: the study's dataset %q is a path relative to its spec file, which is not in S3; resume it from where it was started with: hpsearch run SPEC.yaml --resume --dir %s",
			trial.ErrBadInput, ds, parent)
	}
	specYAML, err := s3journal.ReadFile(ctx, api, loc, results.SpecYAMLFile)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v: the run that created the study stopped before it was done. Nothing ran; remove it (aws s3 rm --recursive %s/) and start again",
			trial.ErrBadInput, err, loc)
	}
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "hpsearch-resume-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	specFile := filepath.Join(tmp, results.SpecYAMLFile)
	if err := os.WriteFile(specFile, specYAML, 0o644); err != nil {
		return err
	}
	named := *e
	named.specNames = map[string]string{specFile: loc.String() + "/" + results.SpecYAMLFile}
	if recorded != nil {
		named.datasetPaths = map[string]string{specFile: recorded.Path}
	}
	return runRun(ctx, &named, resumeArgs(specFile, stored, flags, parent.String(), name))
}

// flagValue returns the value of --name in args (--name V or --name=V),
// or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		k, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if k != name {
			continue
		}
		if hasValue {
			return v
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
