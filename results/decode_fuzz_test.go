package results

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeEventAsEncodingJSON: decodeEvent, which parses with
// goccy/go-json for speed, accepts exactly the lines encoding/json
// accepts, as the same events, and refuses the others with
// encoding/json's error.
func FuzzDecodeEventAsEncodingJSON(f *testing.F) {
	for _, line := range []string{
		`{"type":"study","time":"2026-12-06T20:57:24.824667275Z","study":"b100k"}`,
		`{"type":"dispatch","time":"2026-12-06T20:57:24.858473051Z","trial":{"number":1,"model":"noop","params":{"kind":"c","lr":0.0000384082607625348,"x":2.17279273253226},"seed":7960286522194355700,"budget":{},"attempt":1}}`,
		`{"type":"result","time":"2026-12-06T20:57:24.858633474Z","result":{"number":1,"state":"complete","model":"noop","params":{"kind":"c","lr":0.0000384082607625348,"x":2.17279273253226},"seed":7960286522194355700,"budget":{},"score":2.857948760958358,"fit_seconds":0.000004719,"seconds":0.000014807,"started":"2026-12-06T20:57:24.85855683Z","finished":"2026-12-06T20:57:24.858628184Z"}}`,
		`{"type":"result","time":"2026-12-06T20:57:24.858633474Z","result":{"number":1,"state":"failed","error":"boom \u001b[2J \ud83d\ude00 \"q\"","score":0,"fold_scores":[0.5,1e-300],"seconds":1,"backend":{"billed_ms":3}}}`,
		`{"type":"dispatch","trial":{"number":2,"model":"knn","params":{"w":[1,"a",true,null],"n":{"x":1}},"seed":18446744073709551615,"budget":{"name":"max_iter","value":9,"rung":1,"config":2,"max":81}}}`,
		`{"type":"stop","reason":"max_trials","Type":"study"}`,
		`{"type":"result","result":{"number":1,"state":"complete","score":1e400}}`,
		`{"type":"result","result":{"number":-1.5,"state":"complete"}}`,
		`{"type":"dispatch","trial":{"number":1,"model":"a\xffb","seed":-1}}`,
		`{"type":"study","study":"s"} trailing`,
		`{"type":"result","res`,
		`[]`, `null`, `{}`, ``,
	} {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, gotErr := decodeEvent(line)
		var want Event
		wantErr := json.Unmarshal(line, &want)
		if wantErr == nil {
			wantErr = want.Validate()
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: decodeEvent error %v, encoding/json's %v", line, gotErr, wantErr)
		}
		if gotErr != nil {
			if gotErr.Error() != wantErr.Error() {
				t.Fatalf("%q: decodeEvent error %q, encoding/json's %q", line, gotErr, wantErr)
			}
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decodeEvent read\n%+v\nencoding/json\n%+v", line, got, want)
		}
	})
}
