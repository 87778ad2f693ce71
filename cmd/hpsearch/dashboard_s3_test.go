package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDashboardFollowsAStudyInS3: a study kept in S3 (the emulation's
// gateway) is listed, and its counts follow when it is resumed for more
// trials while the dashboard serves it.
func TestDashboardFollowsAStudyInS3(t *testing.T) {
	emu := startEmulation(t, 2)
	prefix := "s3://" + emu.Bucket + "/dash"
	code, out, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", prefix, "--max-trials", "3", "--no-refit", "--json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var first runSummary
	if err := json.Unmarshal([]byte(out), &first); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- runMain(ctx, &env{stdout: pw, stderr: &errOut}, []string{"dashboard", first.Dir, "--addr", "127.0.0.1:0"})
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL: %v", err)
	}
	url = strings.TrimSpace(url)
	go io.Copy(io.Discard, pr)
	complete := func() float64 {
		t.Helper()
		resp, err := http.Get(url + "api/studies")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 || got[0]["trials"] == nil {
			t.Fatalf("studies: %v %v", got, err)
		}
		return got[0]["trials"].(map[string]any)["complete"].(float64)
	}
	if n := complete(); n != 3 {
		t.Fatalf("complete %v, want 3", n)
	}
	if code, _, stderr := run(t, "resume", first.Dir, "--max-trials", "6", "--no-refit", "--quiet"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	n := 0.0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && n != 6; time.Sleep(200 * time.Millisecond) {
		n = complete()
	}
	if n != 6 {
		t.Errorf("complete %v after the resume, want 6", n)
	}
	cancel()
	<-exited
}
