package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// A study records the backend it runs on in its spec.json, the resolved
// spec: the backend: block there has its type set and, for Lambda, the
// function, bucket, region and concurrency as they were resolved from the
// flags, the HPSEARCH_ variables and the spec. A resume runs on that
// backend, whatever the environment says now; running it elsewhere takes
// --backend (or --function, --bucket, --region) with --change-backend,
// and is said. A study from before the record (no backend.type in its
// spec.json) resumes as it always did: on the spec's backend: block, else
// locally.

// studyBackend is the backend of a study, as its record says.
type studyBackend struct {
	kind                     string
	function, bucket, region string
	concurrency              int
}

// recordBackend returns the backend: block that a study running on exec
// records in its spec.json: block, the spec's own, with the resolved
// settings of exec's backend.
func recordBackend(block map[string]any, exec scheduler.Executor) map[string]any {
	rec := maps.Clone(block)
	if rec == nil {
		rec = map[string]any{}
	}
	lx := lambdaOf(exec)
	if lx == nil {
		rec["type"] = backendLocal
		return rec
	}
	cfg := lx.Config()
	rec["type"] = backendLambda
	rec["function"] = cfg.Function
	rec["concurrency"] = cfg.Concurrency
	for k, v := range map[string]string{"bucket": cfg.Bucket, "region": cfg.Region, "arch": cfg.Arch} {
		if v != "" {
			rec[k] = v
		}
	}
	if cfg.MemoryMB > 0 {
		rec["memory_mb"] = cfg.MemoryMB
	}
	return rec
}

// backendOf reads a study's record, the backend: block of its spec.json.
// A block without a type (a study from before the record, or a spec
// without backend:) is the local backend, as it always was.
func backendOf(block map[string]any) studyBackend {
	b := studyBackend{kind: backendLocal}
	if k, ok := block["type"].(string); ok && k != "" {
		b.kind = k
	}
	if b.kind != backendLambda {
		return b
	}
	b.function, _ = block["function"].(string)
	b.bucket, _ = block["bucket"].(string)
	b.region, _ = block["region"].(string)
	switch n := block["concurrency"].(type) {
	case float64:
		b.concurrency = int(n)
	case int:
		b.concurrency = n
	}
	return b
}

// String says what the backend is, as messages name it.
func (b studyBackend) String() string {
	if b.kind != backendLambda {
		return b.kind
	}
	var parts []string
	for _, p := range [][2]string{{"function", b.function}, {"bucket", b.bucket}, {"region", b.region}} {
		if p[1] != "" {
			parts = append(parts, p[0]+" "+p[1])
		}
	}
	if len(parts) == 0 {
		return b.kind
	}
	return b.kind + " (" + strings.Join(parts, ", ") + ")"
}

// same reports whether b and o are the same backend: the same kind and,
// for Lambda, the same function, bucket and region where both say. The
// concurrency may change, as the parallelism may.
func (b studyBackend) same(o studyBackend) bool {
	if b.kind != o.kind {
		return false
	}
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	return !differ(b.function, o.function) && !differ(b.bucket, o.bucket) && !differ(b.region, o.region)
}

// resumeBackend sets the backend flags of a resume of the study whose
// record is stored: where the flags say nothing, the study's backend and
// its settings, which win over the environment and the spec. Flags that
// name another backend are refused (a usage error) unless change is set
// (--change-backend); then it returns the study's backend, for the
// message that says the backend changed, and the flags stand, the
// study's settings filling in what they leave out.
//
// A study without a record (from before it) leaves the flags as they are.
func resumeBackend(stored map[string]any, bf *backendFlags, change bool) (changedFrom *studyBackend, err error) {
	if _, recorded := stored["type"]; !recorded {
		return nil, nil
	}
	rec := backendOf(stored)
	asked := studyBackend{kind: bf.kind, function: bf.function, bucket: bf.bucket, region: bf.region}
	if asked.kind == "" {
		asked.kind = rec.kind
	}
	if !asked.same(rec) {
		if !change {
			return nil, usageErr("the study runs on %s; %s would run it on another backend: add --change-backend to do that, or leave the flag out to resume on the study's backend",
				rec, strings.Join(bf.given(), " "))
		}
		changedFrom = &rec
	}
	bf.kind = asked.kind
	if asked.kind == backendLambda && rec.kind == backendLambda {
		bf.function = firstNonEmpty(bf.function, rec.function)
		bf.bucket = firstNonEmpty(bf.bucket, rec.bucket)
		bf.region = firstNonEmpty(bf.region, rec.region)
		if bf.concurrency == 0 {
			bf.concurrency = rec.concurrency
		}
	}
	return changedFrom, nil
}

// given returns the backend-choosing flags that were set, as typed.
func (b *backendFlags) given() []string {
	var out []string
	for _, f := range [][2]string{{"backend", b.kind}, {"function", b.function}, {"bucket", b.bucket}, {"region", b.region}} {
		if f[1] != "" {
			out = append(out, "--"+f[0]+" "+f[1])
		}
	}
	return out
}

// storedSpec returns the resolved spec of the study name in dir, a
// directory or an s3:// URL (read through api), or found false when
// there is no study there yet.
func storedSpec(ctx context.Context, api s3journal.API, dir, name string) (spec *search.Spec, found bool, err error) {
	if err := results.CheckStudyName(name); err != nil {
		return nil, false, err
	}
	if !s3journal.IsURL(dir) {
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); err != nil {
			return nil, false, nil
		}
		spec, err := readStudySpec(path)
		return spec, err == nil, err
	}
	parent, err := s3journal.Parse(dir)
	if err != nil {
		return nil, false, err
	}
	spec, _, found, err = findS3StudySpec(ctx, api, parent.Join(name))
	return spec, found, err
}

// sayBackendChanged tells, on stderr, that a resume runs the study on
// another backend than its own, now.
func sayBackendChanged(e *env, from studyBackend, now studyBackend) {
	fmt.Fprintf(e.stderr, "hpsearch: backend changed from %s to %s for this run (--change-backend); the study's record keeps %s, which a resume without backend flags runs on\n",
		from, now, from.kind)
}
