package report_test

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/report"
)

// TestWriteSVG: the same charts as WritePNG, as well-formed standalone
// SVG files.
func TestWriteSVG(t *testing.T) {
	st, err := report.Load(context.Background(), makeStudy(t, false))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "figures")
	paths, err := report.WriteSVG(out, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"best-over-trials.svg", "best-over-time.svg", "parallel-coordinates.svg", "rungs.svg", "param-C.svg", "param-penalty.svg"}
	if len(paths) != len(want) {
		t.Fatalf("wrote %v, want %v", paths, want)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("file %d is %s, want %s", i, filepath.Base(p), want[i])
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(strings.NewReader(string(b)))
		root := ""
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" || !strings.Contains(string(b), "</svg>") {
			t.Errorf("%s: root element %q", p, root)
		}
	}
}
