package commandrun

import (
	"math"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		line string
		want report
		err  string
	}{
		{`{"score": 0.5}`, report{kind: resultLine, score: 0.5}, ""},
		{`  {"step": 3, "score": -1e-3, "lr": 0.1}  `, report{kind: intermediateLine, step: 3, score: -1e-3}, ""},
		{`{"step": 2.0, "score": 1}`, report{kind: intermediateLine, step: 2, score: 1}, ""},
		{`epoch 3 done`, report{}, ""},
		{`{"loss": 0.3}`, report{}, ""},
		{`{not json and no score`, report{}, ""},
		{`{"score": NaN}`, report{}, "NaN, which is not a number"},
		{`{"score": Infinity}`, report{}, "Infinity, which is not a number"},
		{`{"score": "0.9"}`, report{}, `score is the string "0.9"`},
		{`{"score": [1]}`, report{}, "score is [1], not a number"},
		{`{"score": 1e999}`, report{}, "score is not valid JSON"},
		{`{"step": -1, "score": 1}`, report{}, "step -1 is not a whole number"},
		{`{"step": "3", "score": 1}`, report{}, `step is the string "3"`},
		{`{"score": 1,}`, report{}, `a line with "score" is not valid JSON`},
	}
	for _, tc := range cases {
		got, err := parseLine([]byte(tc.line))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseLine(%s): %v", tc.line, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseLine(%s) error = %v, want %q", tc.line, err, tc.err)
		case got != tc.want:
			t.Errorf("parseLine(%s) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// FuzzParseLine: any line is a log line, a protocol line with a finite
// score (and a whole step), or an error; never a panic.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{`{"score": 1}`, `{"step": 1, "score": 2}`, `{"score": NaN}`, "plain", `{"score": "x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := parseLine(line)
		if err != nil {
			return
		}
		if r.kind != logLine && (math.IsNaN(r.score) || math.IsInf(r.score, 0)) {
			t.Errorf("%q: score %v", line, r.score)
		}
		if r.kind == intermediateLine && r.step < 0 {
			t.Errorf("%q: step %d", line, r.step)
		}
	})
}
