package lambdaexec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// typicalAnswer is a trial's answer as the worker writes it: what
// decodeAnswer reads without encoding/json.
const typicalAnswer = `{"number":9539,"state":"complete","model":"noop","params":{"x":0.8141865915075872,"kernel":"rbf","shrink":true,"n":12},` +
	`"seed":10451216379200822465,"score":0.13420752951337178,"fit_seconds":0.000003547,"seconds":0.000012,` +
	`"started":"2026-12-07T04:48:35.927458406Z","finished":"2026-12-07T04:48:35.927470000+01:00","worker":"cbc6bf516194cac1",` +
	`"backend":{"rows":150},"s3_gets":0,"environment":"cbc6bf516194cac1","stored":"written"}`

// answerCases are documents decodeAnswer must decode as json.Unmarshal
// does; fast says whether it reads them itself.
var answerCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"typical", typicalAnswer, true},
	{"empty object", `{}`, true},
	{"white space everywhere", " \t\n{ \"number\" : 3 ,\r\n\"params\" : { \"x\" : -1.5e-7 , \"y\" : false } , \"state\" : \"failed\" , \"error\" : \"boom\" } \n", true},
	{"every plain field", `{"number":-4,"state":"pruned","model":"svm","params":{},"seed":0,"score":-0,"error":"e","load_seconds":1,"fit_seconds":2E+3,` +
		`"score_seconds":3.25,"seconds":4e0,"peak_memory_bytes":18446744073709551615,"dataset_source":"s3://b/k","started":"2026-01-02T03:04:05Z",` +
		`"finished":"2026-01-02T03:04:06.5-07:00","worker":"w","backend":{},"s3_gets":9223372036854775807,"environment":"e","stored":"exists"}`, true},
	{"duplicate keys: the last wins, maps merge", `{"number":1,"number":2,"params":{"x":1},"params":{"y":2,"x":3},"backend":{"a":1},"backend":{"b":2}}`, true},
	{"budgets: the last wins field by field", `{"budget":{"name":"epochs","value":3,"rung":1,"config":2,"max":81},"budget":{},"budget":{"value":9}}`, true},
	{"params of every kind", `{"params":{"":0,"s":"","t":true,"f":false,"big":1e308,"neg":-0.0}}`, true},

	// Left to encoding/json.
	{"escaped string", `{"error":"line\nnext \u00e9 \"q\""}`, false},
	{"DEL in a string", "{\"error\":\"\x7f\"}", false},
	{"non-ASCII string", `{"error":"café"}`, false},
	{"invalid UTF-8", "{\"error\":\"\xff\"}", false},
	{"null", `{"params":null,"score":null,"started":null}`, false},
	{"null parameter", `{"params":{"x":null}}`, false},
	{"list parameter", `{"params":{"x":[1,2]}}`, false},
	{"steps and fold scores", `{"number":1,"fold_scores":[0.5,0.25],"steps":[{"step":1,"value":0.5}]}`, false},
	{"budget unknown key", `{"budget":{"name":"epochs","epochs":3}}`, false},
	{"budget null", `{"budget":null}`, false},
	{"model file", `{"model_file":{"bucket":"b","key":"k"}}`, false},
	{"unknown key", `{"number":1,"extra":{"a":[1,{"b":null}]}}`, false},
	{"key in other case", `{"Number":7,"STATE":"complete"}`, false},
	{"fractional int", `{"number":1.5}`, false},
	{"exponent int", `{"number":1e2}`, false},
	{"negative seed", `{"seed":-1}`, false},
	{"seed too large", `{"seed":18446744073709551616}`, false},
	{"float out of range", `{"score":1e400}`, false},
	{"parameter out of range", `{"params":{"x":-1e400}}`, false},
	{"leading zero", `{"number":01}`, false},
	{"plus sign", `{"score":+1}`, false},
	{"bare dot", `{"score":1.}`, false},
	{"bad time", `{"started":"yesterday"}`, false},
	{"time as number", `{"started":12}`, false},
	{"state as number", `{"state":1}`, false},
	{"trailing comma", `{"number":1,}`, false},
	{"trailing data", `{"number":1} {}`, false},
	{"truncated", `{"number":1,"params":{"x":0.5`, false},
	{"not an object", `[1]`, false},
	{"empty", ``, false},
	{"literal run-on", `{"params":{"x":truex}}`, false},
}

func unmarshalAnswer(doc []byte) (worker.LambdaResponse, error) {
	var want worker.LambdaResponse
	err := json.Unmarshal(doc, &want)
	return want, err
}

// sameAsEncodingJSON fails t unless decodeAnswer and json.Unmarshal
// agree on doc: the same response and the same error.
func sameAsEncodingJSON(t testing.TB, doc []byte) {
	t.Helper()
	want, wantErr := unmarshalAnswer(doc)
	var got worker.LambdaResponse
	gotErr := decodeAnswer(doc, &got)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("decodeAnswer(%q): error %v, encoding/json %v", doc, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeAnswer(%q):\n got %#v\nwant %#v", doc, got, want)
	}
}

func TestDecodeAnswerIsEncodingJSON(t *testing.T) {
	for _, c := range answerCases {
		t.Run(c.name, func(t *testing.T) {
			sameAsEncodingJSON(t, []byte(c.doc))
			var r worker.LambdaResponse
			d := answerDecoder{b: []byte(c.doc)}
			if fast := d.answer(&r); fast != c.fast {
				t.Errorf("read without encoding/json: %v, want %v", fast, c.fast)
			}
		})
	}
}

// TestDecodeAnswerOfWorkerResponses: what the worker writes
// (json.Marshal of its response) is read without encoding/json, and as
// encoding/json reads it.
func TestDecodeAnswerOfWorkerResponses(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 48, 35, 927458406, time.UTC)
	for _, resp := range []worker.LambdaResponse{
		{Result: trial.Result{Number: 1, State: trial.Complete, Model: "noop", Params: trial.Params{"x": 0.5}, Seed: 1, Score: 0.25, Seconds: 0.000012},
			Environment: "0000000000000000", Stored: worker.StoredWritten},
		{Result: trial.Result{Number: 20000, State: trial.Complete, Model: "random_forest", Params: trial.Params{"n_estimators": 100, "criterion": "gini", "bootstrap": false},
			Seed: 1 << 63, Score: 0.97, LoadSeconds: 0.5, FitSeconds: 1.25, ScoreSeconds: 0.125, Seconds: 2, PeakMemoryBytes: 1 << 30,
			DatasetSource: "s3", Started: at, Finished: at.Add(2 * time.Second), Worker: "cbc6bf516194cac1",
			Backend: map[string]float64{"rows": 150, "cols": 4}}, S3Gets: 3, Environment: "cbc6bf516194cac1", Stored: worker.StoredExists},
		{Result: trial.Result{Number: 7, State: trial.Failed, Model: "noop", Params: trial.Params{"x": 1e-9}, Error: "noop: x out of range"}},
	} {
		doc, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		sameAsEncodingJSON(t, doc)
		var r worker.LambdaResponse
		if d := (answerDecoder{b: doc}); !d.answer(&r) {
			t.Errorf("%s: left to encoding/json", doc)
		}
	}
}

// FuzzDecodeAnswerAsEncodingJSON holds decodeAnswer to json.Unmarshal on
// any document.
func FuzzDecodeAnswerAsEncodingJSON(f *testing.F) {
	for _, c := range answerCases {
		f.Add([]byte(c.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		sameAsEncodingJSON(t, doc)
	})
}

func BenchmarkDecodeAnswer(b *testing.B) {
	doc := []byte(typicalAnswer)
	b.Run("decodeAnswer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r worker.LambdaResponse
			if err := decodeAnswer(doc, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r worker.LambdaResponse
			if err := json.Unmarshal(doc, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
