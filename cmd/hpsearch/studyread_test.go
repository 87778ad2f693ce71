package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/bestconfig"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// wholeJournalOutputs is what best (json) and export (csv, jsonl) printed
// when they read a study's every event: the leaderboard of all its
// results, and the table of all its events.
func wholeJournalOutputs(t *testing.T, st *report.Study) (best, csv, jsonl string) {
	t.Helper()
	r, err := bestconfig.Best(results.Leaderboard(results.Results(st.Events), st.Spec.Direction))
	if err != nil {
		t.Fatal(err)
	}
	c, err := bestconfig.FromResult(r, bestconfig.Study{
		Name: st.Spec.Name, Task: st.Spec.Task, Metric: st.Spec.Metric, Preprocess: st.Spec.Preprocess,
	})
	if err != nil {
		t.Fatal(err)
	}
	var b, c1, c2 bytes.Buffer
	if err := bestconfig.WriteJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if err := results.NewTrialTable(st.Events).WriteCSV(&c1); err != nil {
		t.Fatal(err)
	}
	if err := results.NewTrialTable(st.Events).WriteJSONL(&c2); err != nil {
		t.Fatal(err)
	}
	return b.String(), c1.String(), c2.String()
}

// checkStreamedOutputs runs best and export on study (a directory or an
// s3:// URL), which stream its journal, and compares what they print
// with what the study's events read whole give.
func checkStreamedOutputs(t *testing.T, study string, whole *report.Study) {
	t.Helper()
	best, csv, jsonl := wholeJournalOutputs(t, whole)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"best", study}, best},
		{[]string{"export", study}, csv},
		{[]string{"export", study, "--format", "jsonl"}, jsonl},
	} {
		code, out, stderr := run(t, tc.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(tc.args, " "), code, stderr)
		}
		if out != tc.want {
			t.Errorf("%s printed\n%s\nwant, as from every event,\n%s", strings.Join(tc.args, " "), out, tc.want)
		}
	}
}

// TestBestAndExportOfADirectoryStreamAsTheyRead: best and export of a
// study directory, which stream its journal (the leaderboard's first row,
// the table's rows), print what they printed from its every event: an
// early-stopped study, with pruned rungs and rungs replaced by later
// ones.
func TestBestAndExportOfADirectoryStreamAsTheyRead(t *testing.T) {
	dir := runBestStudy(t, "export-forest", exportForestSpec)
	whole, err := report.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	checkStreamedOutputs(t, dir, whole)
}

// TestReadsOfAnS3StudyStreamAsTheyRead: report, best and export of a
// study kept in S3 (the simulated emulation's gateway), which stream its
// journal, print byte for byte what they printed from its every event
// (s3journal's Events, loadS3Events), and the dashboard's read of it
// keeps its trials, not its events.
func TestReadsOfAnS3StudyStreamAsTheyRead(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the S3 gateway")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard
	defer cancel()
	emu, err := emulate.Start(ctx, emulate.Options{Workers: 1, Dir: filepath.Join(t.TempDir(), "emu"), Simulate: &emulate.Simulated{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	spec := writeFile(t, t.TempDir(), "export-forest.yaml", exportForestSpec)
	prefix := "s3://" + emu.Bucket + "/reads"
	if code, _, stderr := run(t, "run", spec, "--dir", prefix, "--quiet", "--parallel", "2", "--no-refit"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	study := prefix + "/export-forest"
	whole, err := loadS3Events(ctx, study)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Events) == 0 {
		t.Fatal("the study in S3 has no events")
	}
	checkStreamedOutputs(t, study, whole)

	streamed, err := loadS3Study(ctx, study)
	if err != nil {
		t.Fatal(err)
	}
	if streamed.Events != nil || streamed.Dir != whole.Dir {
		t.Errorf("loadS3Study kept %d events, Dir %q; want none and %q", len(streamed.Events), streamed.Dir, whole.Dir)
	}
	prices, err := pricesFromFlags("", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	whole.Prices = &prices
	var want bytes.Buffer
	if err := report.WriteHTML(&want, whole, report.Options{Top: 50}); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "report", study, "-o", "-")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if out != want.String() {
		t.Errorf("report of the S3 study: %d bytes, want the %d of the report from its events", len(out), want.Len())
	}
}
