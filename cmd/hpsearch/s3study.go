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
	b, err := readS3SpecJSON(ctx, api, loc)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, notS3StudyError(loc)
	}
	if err != nil {
		return nil, nil, err
	}
	spec, err := parseS3StudySpec(loc, b)
	return spec, b, err
}

// findS3StudySpec reads the resolved spec of the study at loc as
// readS3StudySpec does, or returns found false when nothing is stored
// under loc (no study yet). It reads spec.json first and lists loc only
// when spec.json is missing: a study is found in one request.
func findS3StudySpec(ctx context.Context, api s3journal.API, loc s3journal.Location) (spec *search.Spec, specJSON []byte, found bool, err error) {
	b, err := readS3SpecJSON(ctx, api, loc)
	if errors.Is(err, fs.ErrNotExist) {
		if found, err := s3journal.Exists(ctx, api, loc); err != nil || !found {
			return nil, nil, false, err
		}
		return nil, nil, false, notS3StudyError(loc)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if spec, err = parseS3StudySpec(loc, b); err != nil {
		return nil, nil, false, err
	}
	return spec, b, true, nil
}

func parseS3StudySpec(loc s3journal.Location, specJSON []byte) (*search.Spec, error) {
	var spec search.Spec
	if err := json.Unmarshal(specJSON, &spec); err != nil {
		return nil, fmt.Errorf("%w: %s/%s: %v", trial.ErrBadInput, loc, results.SpecJSONFile, err)
	}
	return &spec, nil
}

func notS3StudyError(loc s3journal.Location) error {
	return fmt.Errorf("%w: %s is not a study (it has no %s); give the --dir of hpsearch run and the study's name, such as s3://BUCKET/runs/NAME",
		trial.ErrBadInput, loc, results.SpecJSONFile)
}

// readSpecKey is the context key of a study's spec.json read already
// (see withS3SpecJSON).
type readSpecKey struct{ study string }

// withS3SpecJSON returns ctx carrying specJSON, the spec.json of the
// study at loc as this command read it. hpsearch resume s3://... reads it
// to start run with the study's settings, through cobra, which takes a
// command line and a context: the context carries it on to run's own
// reads of it, which would otherwise read it twice more. A spec.json is
// written once, when the study is created, and never changed.
func withS3SpecJSON(ctx context.Context, loc s3journal.Location, specJSON []byte) context.Context {
	return context.WithValue(ctx, readSpecKey{loc.String()}, specJSON)
}

// readS3SpecJSON returns the spec.json of the study at loc: as ctx
// carries it (see withS3SpecJSON), or read from S3 (a missing one is an
// error wrapping fs.ErrNotExist).
func readS3SpecJSON(ctx context.Context, api s3journal.API, loc s3journal.Location) ([]byte, error) {
	if b, ok := ctx.Value(readSpecKey{loc.String()}).([]byte); ok {
		return b, nil
	}
	return s3journal.ReadFile(ctx, api, loc, results.SpecJSONFile)
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
		_, stored, found, err := findS3StudySpec(ctx, api, loc)
		if err != nil {
			return nil, err
		}
		if found {
			if err := checkContinue(loc.String(), loc.String()+"/"+results.SpecJSONFile, stored, spec, specJSON); err != nil {
				return nil, err
			}
			// The journal is read from S3 once: peek keeps what it
			// fetched, and reopen reads it again from that, listing only
			// the segments after it (see s3journal.Snapshot).
			var snap *s3journal.Snapshot
			peek := func(fn func(results.Event) error, reset func()) (studyJournal, error) {
				var err error
				if snap, err = s3journal.ScanSnapshot(ctx, api, loc, fn, reset); err != nil {
					return nil, s3ReadError(err)
				}
				return s3journal.Open(api, loc), nil
			}
			reopen := func(fn func(results.Event) error, reset func()) (studyJournal, []string, error) {
				var j *s3journal.Journal
				var err error
				if snap != nil {
					j, err = snap.Reopen(ctx, fn, reset)
					snap = nil
				} else {
					j, err = s3journal.ReopenScan(ctx, api, loc, fn, reset)
				}
				if err != nil {
					return nil, nil, s3ReadError(err)
				}
				return j, nil, nil
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
	ctx = withS3SpecJSON(ctx, loc, storedJSON) // for run's reads of it
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
