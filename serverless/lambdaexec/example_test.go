package lambdaexec_test

import (
	"fmt"

	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
)

func ExampleParseReport() {
	tail := "END RequestId: 42\nREPORT RequestId: 42\tDuration: 812.40 ms\tBilled Duration: 813 ms\tMemory Size: 1769 MB\tMax Memory Used: 96 MB\tInit Duration: 120.51 ms\t\n"
	figures, ok := lambdaexec.ParseReport(tail)
	fmt.Println(ok, figures["billed_ms"], figures["init_ms"], figures["max_memory_mb"], figures["duration_ms"])
	// Output: true 813 120.51 96 812.4
}

func ExampleConfigFrom() {
	backend := map[string]any{"function": "hpsearch-worker", "bucket": "my-bucket", "concurrency": 50}
	env := map[string]string{"HPSEARCH_CONCURRENCY": "20"} // the environment wins
	cfg, err := lambdaexec.ConfigFrom(backend, func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Function, cfg.Bucket, cfg.Concurrency, cfg.Arch)
	// Output: hpsearch-worker my-bucket 20 arm64
}
