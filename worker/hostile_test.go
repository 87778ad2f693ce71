package worker

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// secret is written into the files hostile requests point at; no error
// may carry it back.
const secret = "SECRET-d41d8cd98f00b204"

// secretCSV writes a CSV whose header, cells and label carry secret, and
// returns its absolute path.
func secretCSV(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "secret.csv")
	body := "x," + secret + "\n1,a\n" + secret + ",b\n3,a\n4,b\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// relative returns path relative to the working directory.
func relative(tb testing.TB, path string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		tb.Fatal(err)
	}
	return rel
}

// hostileNames are dataset names that are not bundled datasets but that
// a filesystem would resolve: each must be refused, not read.
func hostileNames(tb testing.TB) map[string]string {
	path := secretCSV(tb)
	return map[string]string{
		"absolute path":          path,
		"relative path":          relative(tb, path),
		"dot dot tricks":         "../../../../../../../.." + path,
		"dot slash":              "./" + relative(tb, path),
		"proc environ":           "/proc/self/environ",
		"proc environ as csv":    "/proc/self/environ#.csv",
		"bundled with extension": "iris.csv",
		"bundled with a suffix":  "iris/../../../../../../.." + path,
		"bundled as a directory": "iris/",
		"bundled with a space":   "iris ",
		"bundled in upper case":  "IRIS",
		"bundled with a NUL":     "iris\x00.csv",
		"file url":               "file://" + path,
	}
}

func TestLocalSourceNeverReadsANameAsAFile(t *testing.T) {
	for name, ds := range hostileNames(t) {
		t.Run(name, func(t *testing.T) {
			_, _, err := (&LocalSource{}).Load(context.Background(), DatasetRef{Name: ds}, datasets.Options{})
			if !errors.Is(err, ErrRefused) || !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("err = %v, want ErrRefused and ErrBadInput", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the file: %v", err)
			}
		})
	}
}

func TestLocalSourceReadsPathsAndBundledNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.csv")
	if err := os.WriteFile(path, []byte("x,y\n1,a\n2,b\n3,a\n4,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ref  DatasetRef
		rows int
	}{
		{"bundled", DatasetRef{Name: "iris"}, 150},
		{"absolute path", DatasetRef{Path: path}, 4},
		{"relative path", DatasetRef{Path: relative(t, path)}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, err := (&LocalSource{}).Load(context.Background(), tt.ref, datasets.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Rows != tt.rows {
				t.Errorf("%d rows, want %d", d.Rows, tt.rows)
			}
		})
	}
}

func TestSourcesRefuseAmbiguousReferences(t *testing.T) {
	path := secretCSV(t)
	refs := map[string]DatasetRef{
		"name and path":   {Name: "iris", Path: path},
		"name and bucket": {Name: "iris", Bucket: "b", Key: "datasets/x", SHA256: strings.Repeat("0", 64)},
		"path and key":    {Path: path, Key: "datasets/x"},
		"name and sha256": {Name: "iris", SHA256: strings.Repeat("0", 64)},
	}
	sources := map[string]func() Source{
		"local":   func() Source { return &LocalSource{} },
		"bundled": func() Source { return &BundledSource{} },
		"s3": func() Source {
			return &S3Source{Client: &memS3{}, Bucket: "b", Prefix: DefaultDatasetsPrefix, Fallback: &BundledSource{}}
		},
	}
	for sname, newSource := range sources {
		for rname, ref := range refs {
			t.Run(sname+"/"+rname, func(t *testing.T) {
				_, _, err := newSource().Load(context.Background(), ref, datasets.Options{})
				if !errors.Is(err, ErrRefused) {
					t.Fatalf("err = %v, want ErrRefused", err)
				}
			})
		}
	}
}

// hostileRefs are references a Lambda worker must refuse, each with the
// error it must be refused with. ref is a pushed dataset in bucket b.
func hostileRefs(tb testing.TB, ref DatasetRef) map[string]struct {
	ref  DatasetRef
	want error
} {
	type c = struct {
		ref  DatasetRef
		want error
	}
	out := map[string]c{}
	for name, ds := range hostileNames(tb) {
		out["name: "+name] = c{DatasetRef{Name: ds}, ErrRefused}
	}
	path := secretCSV(tb)
	out["path"] = c{DatasetRef{Path: path}, ErrRefused}
	out["path to proc environ"] = c{DatasetRef{Path: "/proc/self/environ"}, ErrRefused}
	s3 := func(bucket, key, sum string) DatasetRef { return DatasetRef{Bucket: bucket, Key: key, SHA256: sum} }
	sum := ref.SHA256
	for name, key := range map[string]string{
		"key outside the prefix":        "secrets/" + sum,
		"key is the prefix":             "datasets/",
		"key with dot dot":              "datasets/../secrets/" + sum,
		"key with a dot segment":        "datasets/./" + sum,
		"key with a double slash":       "datasets//" + sum,
		"key with a leading slash":      "/datasets/" + sum,
		"key with a trailing slash":     "datasets/" + sum + "/",
		"key with a hidden segment":     "datasets/.cache/" + sum,
		"key with a backslash":          `datasets/..\secrets\` + sum,
		"key with a percent escape":     "datasets/%2e%2e/secrets/" + sum,
		"key with a NUL":                "datasets/" + sum + "\x00.csv",
		"key with a newline":            "datasets/x\n" + sum,
		"key with fullwidth dots":       "datasets/\uff0e\uff0e/" + sum,
		"key with a division slash":     "datasets/..\u2215secrets",
		"prefix without its slash":      "datasets-private/" + sum,
		"key longer than S3 allows":     "datasets/" + strings.Repeat("a", 1100),
		"key with an unbalanced escape": "datasets/%",
	} {
		out[name] = c{s3("b", key, sum), ErrRefused}
	}
	out["other bucket"] = c{s3("other", ref.Key, sum), ErrRefused}
	out["no bucket"] = c{s3("", ref.Key, sum), ErrRefused}
	out["no key"] = c{s3("b", "", sum), ErrRefused}
	out["sha256 not hex"] = c{s3("b", ref.Key, "../../../../proc/self/environ"), ErrRefused}
	out["sha256 too short"] = c{s3("b", ref.Key, sum[:63]), ErrRefused}
	other := strings.Repeat("ab", 32)
	out["wrong sha256"] = c{s3("b", ref.Key, other), ErrChecksum}
	return out
}

func TestS3SourceRefusesHostileReferences(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	for name, tt := range hostileRefs(t, ref) {
		t.Run(name, func(t *testing.T) {
			src := &S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix, Dir: t.TempDir(), Fallback: &BundledSource{}}
			_, _, err := src.Load(context.Background(), tt.ref, datasets.Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the file: %v", err)
			}
			if tt.want == ErrRefused && src.Gets() != 0 {
				t.Errorf("a refused reference made %d GETs", src.Gets())
			}
		})
	}
	// The same source still serves what it may.
	src := &S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix, Fallback: &BundledSource{}}
	for _, ok := range []DatasetRef{ref, {Name: "iris"}} {
		if _, _, err := src.Load(context.Background(), ok, datasets.Options{}); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func TestLambdaHandlerRefusesHostileDatasets(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	h := newTestHandler(t, m, false)
	for name, tt := range hostileRefs(t, ref) {
		t.Run(name, func(t *testing.T) {
			before := m.gets.Load()
			got := invoke(t, h, context.Background(), Request{Trial: trial.Trial{Model: "knn"}, Dataset: tt.ref, CV: trial.CV{Folds: 3}})
			want := "refused"
			if tt.want == ErrChecksum {
				want = ErrChecksum.Error()
			}
			if got.State != trial.Failed || !strings.Contains(got.Error, want) {
				t.Fatalf("got %s %q, want failed with %q", got.State, got.Error, want)
			}
			if strings.Contains(got.Error, secret) {
				t.Errorf("error quotes the file: %q", got.Error)
			}
			if tt.want == ErrRefused && m.gets.Load() != before {
				t.Errorf("a refused reference made a GET")
			}
		})
	}
	// The handler still runs bundled and pushed datasets.
	for _, ok := range []DatasetRef{ref, {Name: "iris"}} {
		got := invoke(t, h, context.Background(), Request{Trial: trial.Trial{Model: "knn"}, Dataset: ok, CV: trial.CV{Folds: 3}})
		if got.State != trial.Complete {
			t.Errorf("%+v: %s %q", ok, got.State, got.Error)
		}
	}
}

// pushedSecret stores a dataset whose name, target, features and class
// labels all carry secret, as someone else's pushed data would, and
// returns its reference. The class secret+"-rare" has a single row.
func pushedSecret(tb testing.TB, m *memS3, d *datasets.Dataset) DatasetRef {
	tb.Helper()
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	sum, err := d.SHA256()
	if err != nil {
		tb.Fatal(err)
	}
	ref := DatasetRef{Bucket: "b", Key: DefaultDatasetsPrefix + sum, SHA256: sum}
	m.put(ref.Bucket, ref.Key, b)
	return ref
}

func secretDataset(classes []string, y []float64) *datasets.Dataset {
	d := &datasets.Dataset{Name: secret + "-name", Target: secret + "-target", Task: trial.Classification,
		Features: []string{secret + "-col=" + secret + "-value", "x"}, Cols: 2, Classes: classes, Y: y, Rows: len(y)}
	for i := range y {
		d.X = append(d.X, float64(i%2), float64(i))
	}
	return d
}

func TestLambdaHandlerWithholdsDatasetContents(t *testing.T) {
	m := &memS3{}
	// Valid, but class 1 has one row: 3-fold CV fails naming the class.
	valid := pushedSecret(t, m, secretDataset([]string{secret + "-common", secret + "-rare"}, []float64{0, 0, 0, 0, 0, 1}))
	// One class only: fails validation, which quotes the label and target.
	invalid := pushedSecret(t, m, secretDataset([]string{secret + "-only"}, []float64{0, 0, 0, 0}))
	// The bytes of valid under another key, with the sha256 of invalid.
	b, _ := m.object("b/" + valid.Key)
	m.put("b", DefaultDatasetsPrefix+"swapped", b)
	swapped := DatasetRef{Bucket: "b", Key: DefaultDatasetsPrefix + "swapped", SHA256: invalid.SHA256}

	tests := []struct {
		name   string
		ref    DatasetRef
		target string
		want   string
	}{
		{"too few rows of a class", valid, "", "fewer than cv.folds"},
		{"fails validation", invalid, "", datasets.ErrCorrupt.Error()},
		{"wrong target", valid, "label", "not the pushed dataset's target"},
		{"checksum", swapped, "", ErrChecksum.Error()},
	}
	h := newTestHandler(t, m, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := invoke(t, h, context.Background(), Request{Trial: trial.Trial{Model: "knn"}, Dataset: tt.ref,
				Target: tt.target, CV: trial.CV{Folds: 3}})
			if got.State != trial.Failed || !strings.Contains(got.Error, tt.want) {
				t.Fatalf("got %s %q, want failed with %q", got.State, got.Error, tt.want)
			}
			if strings.Contains(got.Error, secret) {
				t.Errorf("error quotes the dataset: %q", got.Error)
			}
			if tt.ref == swapped && strings.Contains(got.Error, valid.SHA256) {
				t.Errorf("error gives away the object's real sha256: %q", got.Error)
			}
		})
	}
	// The same request run locally, by the data's owner, names the class.
	d, _, err := (&S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix}).Load(context.Background(), valid, datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := New(&StaticSource{D: d}).Run(context.Background(), Request{Trial: trial.Trial{Model: "knn"}, Dataset: valid, CV: trial.CV{Folds: 3}})
	if !strings.Contains(res.Error, secret+"-rare") {
		t.Errorf("local error %q does not name the class; the test's premise is wrong", res.Error)
	}
}

func TestWithhold(t *testing.T) {
	d := &datasets.Dataset{Name: "n", Target: "label", Features: []string{"color=red", "size"}, Classes: []string{"cat", "cat dog"}}
	tests := []struct{ in, want string }{
		{`class "cat" has 1 rows`, `class "…" has 1 rows`},
		{`class "cat dog" has 1 rows`, `class "…" has 1 rows`},
		{`column "color" value "red" and "size"`, `column "…" value "…" and "…"`},
		{`fold 2: "other" text, catalog`, `fold 2: "other" text, catalog`},
		{`target "label"`, `target "…"`},
	}
	for _, tt := range tests {
		if got := withhold(tt.in, d); got != tt.want {
			t.Errorf("withhold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLambdaHandlerRefusesHostileResultsPrefixes(t *testing.T) {
	tests := []struct {
		prefix string
		ok     bool
	}{
		{"results/s/", true},
		{"results/my study-20261206T181727.000000000Z/", true},
		{"results/études 50%/", true},
		{"results/../datasets/", false},
		{"results/a/../../datasets/", false},
		{"results/a/b/", false},
		{"results/./", false},
		{"results/.hidden/", false},
		{"results//", false},
		{"results/", false},
		{"/results/s/", false},
		{"results/%2e%2e/", false},
		{"results/a%2Fb/", false},
		{`results/a\b/`, false},
		{"results/a\x00b/", false},
		{"results/a\nb/", false},
		{"results/a\u202eb/", false},
		{"results/\uff0e\uff0e/", false},
		{"results/a\u2215b/", false},
		{"results/\xff/", false},
		{"results/s", false},
		{"results-other/s/", false},
		{"results/" + strings.Repeat("s", 600) + "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			m := &memS3{}
			h := newTestHandler(t, m, false)
			resp := invokeLambda(t, h, LambdaRequest{
				Request: Request{Study: "s", Trial: trial.Trial{Number: 1, Model: "noop", Params: trial.Params{"x": 1.0}}},
				Results: &ResultsRef{Bucket: "b", Prefix: tt.prefix},
			})
			m.mu.Lock()
			written := len(m.objects)
			m.mu.Unlock()
			if tt.ok {
				if resp.State != trial.Complete || resp.Stored != StoredWritten || written != 1 {
					t.Errorf("got %s %q stored %q, %d objects; want complete, written", resp.State, resp.Error, resp.Stored, written)
				}
				return
			}
			if resp.State != trial.Failed || !strings.Contains(resp.Error, "refused") || written != 0 {
				t.Errorf("got %s %q, %d objects written; want refused, none", resp.State, resp.Error, written)
			}
		})
	}
}

func TestLambdaHandlerPrefixesAreFolders(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	moved := ref
	moved.Key = "data-private/" + ref.SHA256
	b, _ := m.object("b/" + ref.Key)
	m.put("b", moved.Key, b)
	h := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", DatasetsPrefix: "data", ResultsPrefix: "res", CacheDir: t.TempDir()}, m)
	got := invoke(t, h, context.Background(), Request{Trial: trial.Trial{Model: "knn"}, Dataset: moved, CV: trial.CV{Folds: 3}})
	if got.State != trial.Failed || !strings.Contains(got.Error, "refused") {
		t.Errorf("key data-private/… under prefix \"data\": %s %q, want refused", got.State, got.Error)
	}
	resp := invokeLambda(t, h, LambdaRequest{
		Request: Request{Trial: trial.Trial{Model: "noop", Params: trial.Params{"x": 1.0}}},
		Results: &ResultsRef{Bucket: "b", Prefix: "res-other/s/"},
	})
	if resp.State != trial.Failed || !strings.Contains(resp.Error, "refused") {
		t.Errorf("results prefix res-other/s/ under \"res\": %s %q, want refused", resp.State, resp.Error)
	}
}

// FuzzCheckKey checks that every dataset key checkKey accepts stays
// under its prefix whatever a store does with it: path cleaning leaves it
// as it is, and it holds nothing a store might decode or fold.
func FuzzCheckKey(f *testing.F) {
	for _, s := range []string{"abc", strings.Repeat("0", 64), "a/b", "../x", "a//b", "./a", "a/.b", `a\b`, "%2e%2e/x", "a\x00", "\uff0e\uff0e/x", "a/b/", "/a", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		if checkKey(rest) != "" {
			return
		}
		key := DefaultDatasetsPrefix + rest
		if path.Clean(key) != key || !strings.HasPrefix(path.Clean("/"+key), "/"+DefaultDatasetsPrefix) {
			t.Errorf("accepted %q, which cleans to %q", rest, path.Clean(key))
		}
		for _, r := range rest {
			if r > 0x7e || r < 0x21 || strings.ContainsRune(`%\?#`, r) {
				t.Errorf("accepted %q, which holds %q", rest, r)
			}
		}
		for _, seg := range strings.Split(rest, "/") {
			if strings.HasPrefix(seg, ".") {
				t.Errorf("accepted %q, with the segment %q", rest, seg)
			}
		}
	})
}

// FuzzCheckStudySegment checks that every study segment of a results
// prefix that checkStudySegment accepts is one path element, which
// cleaning leaves as it is, with no escape, control character or slash.
func FuzzCheckStudySegment(f *testing.F) {
	for _, s := range []string{"s", "my study-20261206T181727.000000000Z", "études 50%", "..", ".", "a/b", `a\b`, "%2e%2e", "a\x00", "\uff0e\uff0e", "a\u2215b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, study string) {
		if checkStudySegment(study) != "" {
			return
		}
		prefix := DefaultResultsPrefix + study
		if path.Clean(prefix) != prefix || path.Dir(prefix) != strings.TrimSuffix(DefaultResultsPrefix, "/") {
			t.Errorf("accepted %q, which cleans to %q", study, path.Clean(prefix))
		}
		if !utf8.ValidString(study) || strings.ContainsAny(study, `/\`) || strings.HasPrefix(study, ".") {
			t.Errorf("accepted %q", study)
		}
		for i, r := range study {
			if unicode.IsControl(r) || r == '%' && i+2 < len(study) && isHex(study[i+1]) && isHex(study[i+2]) {
				t.Errorf("accepted %q, which holds %q", study, r)
			}
		}
	})
}

// FuzzLocalSourceName checks that a LocalSource given a Name loads only a
// bundled dataset, never a file, whatever the name.
func FuzzLocalSourceName(f *testing.F) {
	for _, s := range []string{"iris", "iris.csv", "/proc/self/environ", "../iris", "iris/", "./testdata/x.csv", "IRIS"} {
		f.Add(s)
	}
	src := &LocalSource{}
	f.Fuzz(func(t *testing.T, name string) {
		d, _, err := src.Load(context.Background(), DatasetRef{Name: name}, datasets.Options{})
		if err == nil && (!datasets.IsBundled(name) || d.Name != name) {
			t.Errorf("name %q loaded %q", name, d.Name)
		}
		if err != nil && name != "" && !datasets.IsBundled(name) && !errors.Is(err, ErrRefused) {
			t.Errorf("name %q: err = %v, want ErrRefused", name, err)
		}
	})
}
