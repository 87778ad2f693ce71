package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// marker is written into the files and objects that hostile payloads
// point at; no response may carry it back.
const marker = "MARKER-7f3c2a91e6b04d58"

// hostileCaller invokes the emulated function with payloads of its own
// making, through the SDK's Invoke as anyone allowed to invoke the
// function could, bypassing the executor's request building.
type hostileCaller struct {
	lambda   *lambda.Client
	s3       *s3.Client
	function string
	bucket   string
}

func newHostileCaller(tb testing.TB) *hostileCaller {
	tb.Helper()
	ctx := context.Background()
	cfg, err := lambdaexec.ConfigFrom(nil, os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return &hostileCaller{lambda: lambda.NewFromConfig(awsCfg), s3: s3data.NewClient(awsCfg, os.Getenv),
		function: cfg.Function, bucket: cfg.Bucket}
}

// invoke sends payload and returns the raw response and its decoding. A
// function error (the runtime failing) fails the test: a hostile payload
// must give a failed trial, not crash the worker.
func (c *hostileCaller) invoke(tb testing.TB, payload string) (string, worker.LambdaResponse) {
	tb.Helper()
	out, err := c.lambda.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String(c.function),
		Payload:      []byte(payload),
	})
	if err != nil {
		tb.Fatalf("invoke: %v", err)
	}
	if out.FunctionError != nil {
		tb.Fatalf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	var resp worker.LambdaResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		tb.Fatalf("response %s: %v", out.Payload, err)
	}
	return string(out.Payload), resp
}

// keys lists every key in the bucket.
func (c *hostileCaller) keys(tb testing.TB) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(c.bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("list %s: %v", c.bucket, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = true
		}
	}
	return out
}

// payload is a knn trial on dataset (a JSON object), with extra fields
// appended to the request.
func payload(dataset string, extra ...string) string {
	fields := append([]string{
		`"study":"hostile"`,
		`"trial":{"number":1,"model":"knn","params":{"n_neighbors":3},"seed":1}`,
		`"dataset":` + dataset,
		`"metric":"accuracy"`,
		`"cv":{"folds":3,"seed":1}`,
	}, extra...)
	return "{" + strings.Join(fields, ",") + "}"
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestHostileDatasetsAreRefused sends payloads that point the worker at
// files of the machine it runs on (a CSV holding a marker in its header
// and cells, its own environment with its credentials) and at objects
// outside its datasets prefix: each trial fails as refused, and no
// response carries the marker or the function's secret key.
func TestHostileDatasetsAreRefused(t *testing.T) {
	c := newHostileCaller(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "secret.csv")
	// Parsing it fails on a cell that holds the marker, so a worker that
	// read it would quote the marker in its error.
	body := "x,label_" + marker + "\n1,a\n" + marker + ",b\n3,a\n4,b\n5,a\n6,b\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// The pushed iris dataset, also stored outside the datasets prefix.
	ref := base.Dataset
	b, err := iris.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	outside := "secrets/" + ref.SHA256
	if _, err := c.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(outside),
		Body: strings.NewReader(string(b))}); err != nil {
		t.Fatal(err)
	}
	s3ref := func(bucket, key, sum string) string {
		return `{"bucket":` + jsonString(bucket) + `,"key":` + jsonString(key) + `,"sha256":` + jsonString(sum) + `}`
	}
	upwards := strings.Repeat("../", 16)
	tests := []struct {
		name    string
		dataset string
		want    string
	}{
		{"name: absolute path", `{"name":` + jsonString(file) + `}`, "refused"},
		{"name: relative path", `{"name":` + jsonString(upwards+strings.TrimPrefix(file, "/")) + `}`, "refused"},
		{"name: bundled name with a path", `{"name":` + jsonString("iris/"+upwards+strings.TrimPrefix(file, "/")) + `}`, "refused"},
		{"name: proc environ", `{"name":"/proc/self/environ"}`, "refused"},
		{"name: proc environ as csv", `{"name":"/proc/self/environ#.csv"}`, "refused"},
		{"name: bundled with extension", `{"name":"iris.csv"}`, "refused"},
		{"path", `{"path":` + jsonString(file) + `}`, "refused"},
		{"path: proc environ", `{"path":"/proc/self/environ"}`, "refused"},
		{"name and path", `{"name":"iris","path":` + jsonString(file) + `}`, "refused"},
		{"name and s3", `{"name":` + jsonString(file) + `,"bucket":` + jsonString(ref.Bucket) + `,"key":` + jsonString(ref.Key) + `,"sha256":` + jsonString(ref.SHA256) + `}`, "refused"},
		{"other bucket", s3ref("someone-elses-bucket", ref.Key, ref.SHA256), "refused"},
		{"key outside the prefix", s3ref(ref.Bucket, outside, ref.SHA256), "refused"},
		{"key with dot dot", s3ref(ref.Bucket, "datasets/../"+outside, ref.SHA256), "refused"},
		{"key with a percent escape", s3ref(ref.Bucket, "datasets/%2e%2e/"+outside, ref.SHA256), "refused"},
		{"key with a backslash", s3ref(ref.Bucket, `datasets\..\`+outside, ref.SHA256), "refused"},
		{"key with a leading slash", s3ref(ref.Bucket, "/"+ref.Key, ref.SHA256), "refused"},
		{"key with a double slash", s3ref(ref.Bucket, "datasets//"+ref.SHA256, ref.SHA256), "refused"},
		{"sha256 as a path", s3ref(ref.Bucket, ref.Key, "../../../../proc/self/environ"), "refused"},
		{"wrong sha256", s3ref(ref.Bucket, ref.Key, strings.Repeat("ab", 32)), worker.ErrChecksum.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, resp := c.invoke(t, payload(tt.dataset))
			if resp.State != trial.Failed || !strings.Contains(resp.Error, tt.want) {
				t.Fatalf("got %s %q, want failed with %q", resp.State, resp.Error, tt.want)
			}
			for what, s := range map[string]string{"the file's marker": marker, "the secret key": emu.SecretKey, "the real sha256": ref.SHA256} {
				if s != "" && strings.Contains(raw, s) && !(what == "the real sha256" && strings.Contains(tt.dataset, s)) {
					t.Errorf("the response carries %s: %s", what, raw)
				}
			}
		})
	}
	// The worker still serves the pushed dataset and the bundled ones.
	for _, ok := range []string{s3ref(ref.Bucket, ref.Key, ref.SHA256), `{"name":"iris"}`} {
		if _, resp := c.invoke(t, payload(ok)); resp.State != trial.Complete {
			t.Errorf("%s: %s %q", ok, resp.State, resp.Error)
		}
	}
}

// TestHostileResultsPrefixesAreRefused asks the worker to store results
// under prefixes that would leave the results prefix: the trial fails
// without running, and nothing is written.
func TestHostileResultsPrefixesAreRefused(t *testing.T) {
	c := newHostileCaller(t)
	for _, prefix := range []string{
		"results/../datasets/",
		"results/x/../../datasets/",
		"results/%2e%2e/datasets/",
		"results/..%2fdatasets/",
		`results/..\datasets\`,
		"results/./",
		"results//",
		"datasets/",
	} {
		t.Run(prefix, func(t *testing.T) {
			before := c.keys(t)
			results := `"results":{"bucket":` + jsonString(c.bucket) + `,"prefix":` + jsonString(prefix) + `}`
			_, resp := c.invoke(t, payload(`{"name":"iris"}`, results))
			if resp.State != trial.Failed || !strings.Contains(resp.Error, "refused") {
				t.Fatalf("got %s %q, want refused", resp.State, resp.Error)
			}
			if resp.DatasetSource != "" || resp.Stored != "" {
				t.Errorf("the trial ran (dataset from %q) or was stored (%q)", resp.DatasetSource, resp.Stored)
			}
			for key := range c.keys(t) {
				if !before[key] {
					t.Errorf("object %s was written", key)
				}
			}
		})
	}
}
