package emulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// startGateway starts versitygw serving the directory root as S3 on addr
// with the given root credentials, and waits until it answers HTTP.
func startGateway(ctx context.Context, bin, root, addr, access, secret, region string, out io.Writer) (*process, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("emulate: s3 root: %w", err)
	}
	args := []string{
		"--access", access, "--secret", secret,
		"--port", addr, "--region", region, "--quiet",
		// Without it the gateway closes every connection after one
		// request: a TCP handshake per object, which at hundreds of
		// requests a second (a simulated study storing its results)
		// costs more than the requests.
		"--keep-alive",
		"posix", root,
	}
	// A clean environment: versitygw reads many VGW_* and ROOT_* variables.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	p, err := startProcess("versitygw", bin, args, env, root, out)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, p, "http://"+addr+"/", 15*time.Second); err != nil {
		p.stop(0)
		return nil, err
	}
	return p, nil
}

// waitHTTP polls url until it answers with any status.
func waitHTTP(ctx context.Context, p *process, url string, timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("emulate: %w", err)
		}
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("emulate: %s exited before answering %s: %v", p.name, url, p.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emulate: %s did not answer %s within %v", p.name, url, timeout)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("emulate: waiting for %s: %w", p.name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// NewS3Client returns an S3 client for an S3-compatible endpoint:
// path-style addressing, static credentials, no retries beyond the
// SDK's defaults.
func NewS3Client(endpoint, region, access, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(access, secret, ""),
	})
}

// createBucket creates bucket unless this emulation's directory already
// holds it.
func createBucket(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("emulate: create bucket %s: %w", bucket, err)
	}
	return nil
}

// gatewayRoot is where the gateway keeps the buckets inside Options.Dir.
func gatewayRoot(dir string) string { return filepath.Join(dir, "s3") }
