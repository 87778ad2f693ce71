package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
)

// follower is a Loader as hpsearch dashboard wires one for a directory:
// read by report.LoadTrials, then brought up to date in place by
// report.Study.Reload.
type follower struct {
	mu    sync.Mutex
	last  map[string]*report.Study
	reads int
}

func (f *follower) load(ctx context.Context, src string) (*report.Study, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	read := report.LoadTrials
	if prev := f.last[src]; prev != nil {
		read = func(ctx context.Context, _ string) (*report.Study, error) { return prev.Reload(ctx) }
	}
	st, err := read(ctx, src)
	if err != nil {
		return nil, err
	}
	f.last[src] = st
	return st, nil
}

// TestAStudyReadInPlaceIsServedWhileItGrows: the charts, table pages and
// trials of a study are asked for while its journal grows and every
// request reads it again (MaxAge 0), in place (report.Study.Reload), so
// reads change the trials that other requests are reading from; run with
// -race, this checks that no request reads them while a read changes
// them. At the end the server shows what a server reading the finished
// study afresh shows.
func TestAStudyReadInPlaceIsServedWhileItGrows(t *testing.T) {
	full := syntheticStudy(t, "grow", 600, 0)
	specJSON, err := json.Marshal(full.Spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := results.Create(t.TempDir(), "grow", []byte("name: grow\n"), specJSON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	ctx := context.Background()
	// Create wrote the study's first record; the synthetic one is skipped.
	events := full.Events[1:]
	if err := j.Append(ctx, events[:40]...); err != nil {
		t.Fatal(err)
	}
	f := &follower{last: map[string]*report.Study{}}
	srv := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{j.Dir()}, Load: f.load}))
	defer srv.Close()

	paths := []string{"/api/studies/0/trials?sort=score&order=desc", "/api/studies/0/trials?state=pruned&limit=500",
		"/api/studies/0/trials?q=svc&sort=param:C", "/api/studies/0/trials/7", "/api/studies", "/api/studies/0",
		"/api/studies/0/contour?x=C&y=gamma"}
	done := make(chan struct{})
	served := make(chan struct{}, 1000)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				p := paths[w%4]
				if w == 5 {
					p = paths[i%len(paths)]
				}
				select {
				case <-done:
					return
				default:
				}
				if code, body := get(t, srv.URL, p, nil); code != 200 && code != 422 {
					t.Errorf("%s: %d %s", p, code, body)
				}
				select {
				case served <- struct{}{}:
				case <-done:
					return
				}
			}
		}()
	}
	for from := 40; from < len(events); from += 97 {
		if err := j.Append(ctx, events[from:min(from+97, len(events))]...); err != nil {
			t.Fatal(err)
		}
		// Each part of the journal read while requests run; an odd part
		// leaves a trial dispatched that the next part gives its result.
		for range 3 * len(paths) {
			<-served
		}
	}
	close(done)
	wg.Wait()

	fresh := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{j.Dir()}, Load: report.LoadTrials}))
	defer fresh.Close()
	for _, p := range paths {
		_, got := get(t, srv.URL, p, nil)
		_, want := get(t, fresh.URL, p, nil)
		if !bytes.Equal(got, want) {
			t.Errorf("%s of the study read in place:\n%s\nread afresh:\n%s", p, got, want)
		}
	}
	if f.reads < 2 || len(f.last) != 1 {
		t.Errorf("%d reads of %d studies, want several of one", f.reads, len(f.last))
	}
}

// TestASourceGivenTwiceIsOneStudy: a study given twice is listed once,
// under its first ID, so that two IDs never read and change one study
// (a Loader may hand both the same study, changed in place).
func TestASourceGivenTwiceIsOneStudy(t *testing.T) {
	st := syntheticStudy(t, "alpha", 5, 0)
	beta := syntheticStudy(t, "beta", 5, 0)
	f := newFixture(t, "", map[string]*report.Study{"a": st, "b": beta}, "a", "a", "b")
	_, body := get(t, f.srv.URL, "/api/studies", nil)
	var got []dashboard.StudySummary
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "0" || got[0].Name != "alpha" || got[1].ID != "2" || got[1].Name != "beta" {
		t.Errorf("studies %+v, want alpha as 0 and beta as 2", got)
	}
	if code, _ := get(t, f.srv.URL, "/api/studies/1", nil); code != 404 {
		t.Errorf("the second ID of alpha: %d, want 404", code)
	}
}
