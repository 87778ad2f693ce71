package datasets

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// readString reads a CSV dataset from a string, failing the test on error.
func readString(tb testing.TB, csv string, opts Options) *Dataset {
	tb.Helper()
	d, err := ReadCSV(strings.NewReader(csv), "t.csv", opts)
	if err != nil {
		tb.Fatalf("ReadCSV: %v", err)
	}
	return d
}

// sameFloats compares float slices, treating NaN as equal to NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || (math.IsNaN(x) && math.IsNaN(y)) || math.Abs(x-y) < 1e-12
	})
}

func TestReadCSVBadInput(t *testing.T) {
	nan := Options{AllowMissing: true}
	tests := []struct {
		name  string
		csv   string
		opts  Options
		line  int
		field string
		msg   string // substring of the message
	}{
		{"empty file", "", Options{}, 0, "", "empty file"},
		{"header only", "a,b,y\n", Options{}, 1, "", "header only"},
		{"duplicate column", "a,b,a,y\n1,2,3,x\n", Options{}, 1, "a", "duplicate column"},
		{"unnamed column", "a,,y\n1,2,x\n", Options{}, 1, "", "column 2 of the header has no name"},
		{"one column", "y\n1\n", Options{}, 1, "", "at least one feature"},
		{"target not in header", "a,b,y\n1,2,x\n", Options{Target: "label"}, 1, "label", "columns are a, b, y"},
		{"ragged short", "a,b,y\n1,2,x\n1,x\n", Options{}, 3, "", "row has 2 columns, header has 3"},
		{"ragged long", "a,b,y\n1,2,x\n1,2,3,x\n", Options{}, 3, "", "row has 4 columns, header has 3"},
		{"numbers then string", "a,b,y\n1,2,x\n3,4,z\n5,abc,x\n", Options{}, 4, "b",
			`column "b" has numbers and strings: row 3 value "abc" (row 1 was "2")`},
		{"strings then number", "a,b,y\n1,red,x\n3,blue,z\n5,7,x\n", Options{}, 4, "b",
			`column "b" has numbers and strings: row 3 value "7" (row 1 was "red")`},
		{"mixed after missing", "a,b,y\n1,,x\n3,4,z\n5,abc,x\n", nan, 4, "b", `row 3 value "abc"`},
		{"mixed target", "a,y\n1,0\n2,1\n3,cat\n", Options{}, 4, "y", "numbers and strings"},
		{"missing cell", "a,b,y\n1,2,x\n3,,z\n", Options{}, 3, "b", "set preprocess.impute"},
		{"NA cell", "a,b,y\n1,2,x\n3,NA,z\n", Options{}, 3, "b", "set preprocess.impute"},
		{"NaN text", "a,b,y\n1,2,x\n3,NaN,z\n", Options{}, 3, "b", "set preprocess.impute"},
		{"Inf text", "a,b,y\n1,2,x\n3,Inf,z\n", Options{}, 3, "b", `"Inf" is infinite`},
		{"Inf with AllowMissing", "a,b,y\n1,2,x\n3,-inf,z\n", nan, 3, "b", "infinite"},
		{"out of range", "a,b,y\n1,2,x\n3,1e999,z\n", Options{}, 3, "b", "out of the float64 range"},
		{"missing class label", "a,y\n1,x\n2,\n3,z\n", nan, 3, "y", "target value is missing"},
		{"single class", "a,y\n1,x\n2,x\n", Options{}, 0, "y", `single class "x"`},
		{"single numeric class", "a,y\n1,1\n2,1\n", Options{Task: trial.Classification}, 0, "y", "single class"},
		{"constant regression target", "a,y\n1,2.5\n2,2.5\n", Options{Task: trial.Regression}, 0, "y", "constant"},
		{"string target regression", "a,y\n1,x\n2,z\n", Options{Task: trial.Regression}, 0, "y", "regression needs numbers"},
		{"bad quote", "a,y\n1,\"x\n", Options{}, 2, "", "quote"},
		{"unknown task", "a,y\n1,2\n", Options{Task: "ranking"}, 0, "task", "unknown task"},
		{"unknown encoding", "a,y\n1,2\n", Options{Encoding: "hash"}, 0, "encoding", "unknown encoding"},
		{"one-hot name clash", "a=b,a,y\n1,b,x\n2,c,z\n", Options{}, 0, "a=b", "repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tt.csv), "t.csv", tt.opts)
			if err == nil {
				t.Fatalf("got a dataset %d×%d, want an error", d.Rows, d.Cols)
			}
			if !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("error %v does not wrap trial.ErrBadInput", err)
			}
			var ie *trial.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not a *trial.InputError", err, err)
			}
			if ie.File != "t.csv" || ie.Line != tt.line || ie.Field != tt.field {
				t.Errorf("got file %q line %d field %q, want t.csv line %d field %q (%v)",
					ie.File, ie.Line, ie.Field, tt.line, tt.field, err)
			}
			if !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", ie.Msg, tt.msg)
			}
		})
	}
}

func TestReadCSVEncoding(t *testing.T) {
	const in = "size,colour,y\n1,red,a\n2,blue,b\n3,,a\n4,green,b\n"
	nan := math.NaN()
	tests := []struct {
		encoding string
		features []string
		x        []float64
	}{
		{"", []string{"size", "colour=blue", "colour=green", "colour=red"},
			[]float64{1, 0, 0, 1, 2, 1, 0, 0, 3, nan, nan, nan, 4, 0, 1, 0}},
		{OneHot, []string{"size", "colour=blue", "colour=green", "colour=red"},
			[]float64{1, 0, 0, 1, 2, 1, 0, 0, 3, nan, nan, nan, 4, 0, 1, 0}},
		{Ordinal, []string{"size", "colour"},
			[]float64{1, 2, 2, 0, 3, nan, 4, 1}},
	}
	for _, tt := range tests {
		t.Run("encoding="+tt.encoding, func(t *testing.T) {
			d := readString(t, in, Options{Encoding: tt.encoding, AllowMissing: true})
			if !slices.Equal(d.Features, tt.features) || d.Cols != len(tt.features) || d.Rows != 4 {
				t.Errorf("features %v (%d×%d), want %v", d.Features, d.Rows, d.Cols, tt.features)
			}
			if !sameFloats(d.X, tt.x) {
				t.Errorf("X = %v, want %v", d.X, tt.x)
			}
			if !d.HasMissing() {
				t.Error("HasMissing() = false")
			}
		})
	}
}

func TestReadCSVClasses(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		opts    Options
		task    trial.Task
		classes []string
		y       []float64
	}{
		{"strings sort lexically", "a,y\n1,b\n2,a\n3,C\n4,b\n", Options{}, trial.Classification,
			[]string{"C", "a", "b"}, []float64{2, 1, 0, 2}},
		{"numbers sort numerically", "a,y\n1,10\n2,9\n3,2\n4,10\n5,9\n6,2\n", Options{}, trial.Classification,
			[]string{"2", "9", "10"}, []float64{2, 1, 0, 2, 1, 0}},
		{"negative and spelled variants", "a,y\n1,-1\n2,1.0\n3,01\n4,-1\n", Options{Task: trial.Classification},
			trial.Classification, []string{"-1", "1"}, []float64{0, 1, 1, 0}},
		{"regression keeps values", "a,y\n1,0.5\n2,1.5\n3,-2\n", Options{}, trial.Regression,
			nil, []float64{0.5, 1.5, -2}},
		{"explicit target", "y,a,b\nx,1,2\nz,3,4\n", Options{Target: "y"}, trial.Classification,
			[]string{"x", "z"}, []float64{0, 1}},
		{"quoted fields and spaces", "a,\"b, c\",y\n\" 1.5 \", 2 ,\"hello, world\"\n2,3,\"say \"\"hi\"\"\"\n", Options{},
			trial.Classification, []string{"hello, world", `say "hi"`}, []float64{0, 1}},
		{"byte order mark", "\uFEFFa,y\n1,x\n2,z\n", Options{Target: "y"}, trial.Classification,
			[]string{"x", "z"}, []float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := readString(t, tt.csv, tt.opts)
			if d.Task != tt.task || !slices.Equal(d.Classes, tt.classes) || !sameFloats(d.Y, tt.y) {
				t.Errorf("task %s classes %q y %v, want %s %q %v", d.Task, d.Classes, d.Y, tt.task, tt.classes, tt.y)
			}
		})
	}
}

func TestInferTask(t *testing.T) {
	// labels builds a CSV whose target takes the given values in turn.
	labels := func(rows int, value func(i int) string) string {
		var b strings.Builder
		b.WriteString("a,y\n")
		for i := range rows {
			b.WriteString("1," + value(i) + "\n")
		}
		return b.String()
	}
	mod := func(n int) func(int) string { return func(i int) string { return strconv.Itoa(i % n) } }
	tests := []struct {
		name string
		csv  string
		want trial.Task
	}{
		{"string labels", labels(4, func(i int) string { return []string{"yes", "no"}[i%2] }), trial.Classification},
		{"binary integers", labels(3, func(i int) string { return []string{"0", "1"}[i%2] }), trial.Classification},
		{"ten digits, 100 rows", labels(100, mod(10)), trial.Classification},
		{"ten digits, 15 rows", labels(15, mod(10)), trial.Regression},
		{"50 integers", labels(100, mod(50)), trial.Classification},
		{"fractions", labels(100, func(i int) string { return []string{"0.5", "1"}[i%2] }), trial.Regression},
		{"51 integers", labels(510, mod(51)), trial.Regression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := readString(t, tt.csv, Options{}); d.Task != tt.want {
				t.Errorf("task %s, want %s (classes %v)", d.Task, tt.want, d.Classes)
			}
		})
	}
}

func TestReadCSVMissing(t *testing.T) {
	d := readString(t, "a,b,y\n,1,x\nNA,n/a,z\n2,null,x\n", Options{AllowMissing: true})
	nan := math.NaN()
	if want := []float64{nan, 1, nan, nan, 2, nan}; !sameFloats(d.X, want) {
		t.Errorf("X = %v, want %v", d.X, want)
	}
	// A column with only missing cells stays a numeric column of NaN.
	d = readString(t, "a,b,y\n,1,x\n,2,z\n", Options{AllowMissing: true})
	if d.Cols != 2 || !math.IsNaN(d.X[0]) || d.X[1] != 1 {
		t.Errorf("all-missing column: features %v X %v", d.Features, d.X)
	}
}

func TestParseDecimalMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "+1", "1.", ".5", "3.14159", "-2.5e3", "9007199254740993",
		"123456789012345678", "0.1", "1e22", "0.0000000000000000000001", "12345678901234567890", "1_0", ""} {
		got, ok := parseDecimal(s)
		want, err := strconv.ParseFloat(s, 64)
		if ok && (err != nil || math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("parseDecimal(%q) = %v, strconv gives %v (%v)", s, got, want, err)
		}
	}
}
