package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/serverless/s3data"
)

// TestPushCommand runs 'hpsearch datasets push' against the emulation: a
// bundled dataset that TestMain already pushed is not uploaded again, and
// a CSV given as an s3:// URI is read, converted and pushed.
func TestPushCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/hpsearch")
	}
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "hpsearch")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/hpsearch/hpsearch/cmd/hpsearch").CombinedOutput(); err != nil {
		t.Fatalf("build hpsearch: %v\n%s", err, out)
	}
	push := func(t *testing.T, args ...string) pushOutput {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"datasets", "push", "--json"}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("hpsearch datasets push %v: %v\n%s", args, err, stderr.Bytes())
		}
		var got pushOutput
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("output: %v\n%s", err, stdout.Bytes())
		}
		return got
	}

	t.Run("bundled, already present", func(t *testing.T) {
		got := push(t, "iris") // the bucket comes from HPSEARCH_BUCKET
		if got.Key != base.Dataset.Key || got.SHA256 != base.Dataset.SHA256 || got.Uploaded {
			t.Errorf("got %+v, want %s not uploaded again", got, base.Dataset.Key)
		}
	})

	t.Run("s3 csv", func(t *testing.T) {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			t.Fatal(err)
		}
		client := s3data.NewClient(awsCfg, os.Getenv)
		csv, err := os.ReadFile("../../datasets/data/wine.csv")
		if err != nil {
			t.Fatal(err)
		}
		// A bucket of this run's own: the shared emulation outlives a
		// run (go test -count=2), and a dataset pushed by an earlier one
		// would not be uploaded again.
		bucket := fmt.Sprintf("push-%d", time.Now().UnixNano())
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("raw/wine.csv"), Body: bytes.NewReader(csv)}); err != nil {
			t.Fatal(err)
		}
		got := push(t, "s3://"+bucket+"/raw/wine.csv", "--bucket", bucket)
		want, err := datasets.Load("wine", datasets.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Dataset != "wine" || got.Rows != want.Rows || got.Cols != want.Cols || !got.Uploaded {
			t.Errorf("got %+v, want wine %d×%d uploaded", got, want.Rows, want.Cols)
		}
		if again := push(t, "s3://"+bucket+"/raw/wine.csv", "--bucket", bucket); again.Uploaded || again.Key != got.Key {
			t.Errorf("second push %+v, want the same key, not uploaded", again)
		}
	})
}

type pushOutput struct {
	Dataset  string `json:"dataset"`
	Key      string `json:"key"`
	SHA256   string `json:"sha256"`
	Uploaded bool   `json:"uploaded"`
	Rows     int    `json:"rows"`
	Cols     int    `json:"cols"`
}
