package lambdaexec

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/trial"
)

// BenchmarkExecute measures the executor's own cost of one trial — the
// request's encoding, the SDK's signing and transport, and decoding the
// answer and its REPORT line — against a server that answers at once as
// Lambda does. It is what a study at high concurrency spends per trial in
// the scheduler's process besides the journal. It runs with the direct
// Invoke New uses, the direct Invoke over net/http
// (HPSEARCH_NETHTTP_INVOKE=1), and the SDK's (HPSEARCH_SDK_INVOKE=1).
func BenchmarkExecute(b *testing.B) {
	report := base64.StdEncoding.EncodeToString([]byte("START RequestId: 1 Version: $LATEST\nEND RequestId: 1\n" +
		"REPORT RequestId: 1\tDuration: 2000.00 ms\tBilled Duration: 2100 ms\tMemory Size: 1769 MB\tInit Duration: 100.00 ms\t\n"))
	answer := []byte(`{"number":1,"state":"complete","model":"noop","params":{"x":0.5},"seed":1,"score":0.25,"seconds":0.000012,"s3_gets":0,"environment":"0000000000000000","stored":"written"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Log-Result", report)
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	c := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("a", "b", ""),
	}, withConnections(aws.Config{}, 4))
	for _, inv := range invokes {
		b.Run(inv.name, func(b *testing.B) {
			var api LambdaAPI = c
			if !inv.sdk {
				d := newDirectInvoke(context.Background(), c)
				if inv.netHTTP {
					d.conns = nil
				}
				api = d
			}
			ex := NewWithClients(Config{Function: "f", Concurrency: 4}, Clients{Lambda: api})
			t := trial.Trial{Number: 1, Model: "noop", Params: trial.Params{"x": 0.5}, Seed: 1}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := ex.Execute(ctx, t)
				if err != nil || res.State != trial.Complete {
					b.Fatalf("Execute: %v, %+v", err, res)
				}
			}
		})
	}
}
