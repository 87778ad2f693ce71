package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/worker"
)

// bench holds what every measurement shares.
type bench struct {
	work      string // temporary directory, removed at the end
	bootstrap string // the worker binary the environments run
	log       *slog.Logger
	out       io.Writer
}

// startEmulation starts a fresh emulation with n environments in a
// temporary directory of its own, so no environment has a dataset in its
// /tmp and each first invocation is a cold start.
func (b *bench) startEmulation(ctx context.Context, n int) (*emulate.Emulation, error) {
	start := time.Now()
	em, err := emulate.Start(ctx, emulate.Options{Workers: n, Bootstrap: b.bootstrap})
	if err != nil {
		return nil, err
	}
	b.log.Info("emulation started", "environments", n, "seconds", time.Since(start).Seconds())
	return em, nil
}

// newExecutor returns an executor pointed at em with the given
// concurrency, and the recorder of the worker's responses.
func newExecutor(em *emulate.Emulation, concurrency int) (*lambdaexec.Executor, *recorder) {
	creds := credentials.NewStaticCredentialsProvider(em.AccessKey, em.SecretKey, "")
	rec := &recorder{inner: lambda.New(lambda.Options{
		Region:       em.Region,
		BaseEndpoint: aws.String(em.LambdaEndpoint),
		Credentials:  creds,
	})}
	ex := lambdaexec.NewWithClients(lambdaexec.Config{
		Function:    em.Function,
		Bucket:      em.Bucket,
		Region:      em.Region,
		Concurrency: concurrency,
	}, lambdaexec.Clients{
		Lambda:      rec,
		S3:          emulate.NewS3Client(em.S3Endpoint, em.Region, em.AccessKey, em.SecretKey),
		Credentials: creds,
	})
	return ex, rec
}

// recorder passes invocations through and keeps the worker's responses,
// which say which execution environment answered and how many S3 GETs it
// had made; the executor's results do not carry the environment.
type recorder struct {
	inner lambdaexec.LambdaAPI

	mu        sync.Mutex
	responses []worker.LambdaResponse
}

func (r *recorder) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	out, err := r.inner.Invoke(ctx, in, opts...)
	if err == nil && out.FunctionError == nil {
		var resp worker.LambdaResponse
		if json.Unmarshal(out.Payload, &resp) == nil {
			r.mu.Lock()
			r.responses = append(r.responses, resp)
			r.mu.Unlock()
		}
	}
	return out, err
}

func (r *recorder) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	return r.inner.GetFunction(ctx, in, opts...)
}

// snapshot returns a copy of the responses recorded so far.
func (r *recorder) snapshot() []worker.LambdaResponse {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.responses)
}

// quantile returns the q-quantile of xs (the nearest rank on a sorted
// copy); an empty xs gives 0.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[min(max(i, 0), len(s)-1)]
}

// median is the middle value of xs, or the mean of the two middle ones.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadAverage is the first line of /proc/loadavg's three averages, or
// "unknown" off Linux.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// table writes a markdown table.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case string:
			row[i] = v
		case float64:
			row[i] = formatFloat(v)
		default:
			row[i] = fmt.Sprint(v)
		}
	}
	t.rows = append(t.rows, row)
}

func formatFloat(v float64) string {
	switch a := max(v, -v); {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func (t *table) write(w io.Writer) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(t.header)))
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}
