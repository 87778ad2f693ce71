package dashboard_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
)

func TestContourAPI(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 60, 0)}, "a")
	t.Run("any numeric pair", func(t *testing.T) {
		code, body := get(t, f.srv.URL, "/api/studies/0/contour?x=gamma&y=C", nil)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		var c dashboard.Contour
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		var charts dashboard.Charts
		_, cb := get(t, f.srv.URL, "/api/studies/0", nil)
		if err := json.Unmarshal(cb, &charts); err != nil {
			t.Fatal(err)
		}
		if charts.Params[c.X].Name != "gamma" || charts.Params[c.Y].Name != "C" || !c.XLog || !c.YLog || len(c.Bands) == 0 {
			t.Errorf("contour of %s and %s (log %v, %v) with %d bands", charts.Params[c.X].Name, charts.Params[c.Y].Name, c.XLog, c.YLog, len(c.Bands))
		}
	})
	t.Run("concurrent requests share the study's forest", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				q := [2]string{"?x=C&y=gamma", "?x=gamma&y=C"}[i%2]
				// http.Get, not get: t.Fatal belongs to the test's goroutine.
				resp, err := http.Get(f.srv.URL + "/api/studies/0/contour" + q)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("%s: %d", q, resp.StatusCode)
				}
			})
		}
		wg.Wait()
	})
	for _, bad := range []struct {
		name, query string
		code        int
		says        string
	}{
		{"no y", "?x=C", 400, "x and y"},
		{"a category", "?x=C&y=kernel", 422, "kernel is a category"},
		{"an unknown name", "?x=C&y=%3Cb%3E", 422, `no parameter "<b>"`},
		{"the same twice", "?x=C&y=C", 422, "two distinct"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			code, body := get(t, f.srv.URL, "/api/studies/0/contour"+bad.query, nil)
			if code != bad.code || !strings.Contains(string(body), bad.says) {
				t.Errorf("%d %q, want %d saying %q", code, body, bad.code, bad.says)
			}
		})
	}
}
