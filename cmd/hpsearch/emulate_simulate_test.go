package main

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// TestEmulateSimulateRefusesBadFlags: the simulation's flags are checked
// before anything is built or started, and exit 2.
func TestEmulateSimulateRefusesBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"trial seconds without --simulate", []string{"--trial-seconds", "2"}, "--trial-seconds needs --simulate"},
		{"cold start without --simulate", []string{"--cold-start", "1s"}, "--cold-start needs --simulate"},
		{"bootstrap with --simulate", []string{"--simulate", "--bootstrap", "/bin/true"}, "--bootstrap has no use with --simulate"},
		{"negative cold start", []string{"--simulate", "--cold-start", "-1s"}, "between 0 and 10s"},
		{"empty range", []string{"--simulate", "--trial-seconds", "3..1"}, `"3..1": MAX must be above MIN`},
		{"not seconds", []string{"--simulate", "--trial-seconds", "2s"}, `"2s" is not a number`},
		{"missing study", []string{"--simulate", "--trial-seconds", "replay:no-such-study"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"emulate", "--port", "0"}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", code, stderr, tt.want)
			}
		})
	}
}

// TestEmulateSimulate: --simulate serves invocations without a bootstrap,
// answering after --trial-seconds with a REPORT line that bills the
// --cold-start of a new environment, exports HPSEARCH_SIMULATED=1 with
// the endpoints, and says what it simulated.
func TestEmulateSimulate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the S3 gateway")
	}
	stdout, stderr, endpoint, stop := startEmulate(t, "--port", "0", "--workers", "3", "--dir", t.TempDir(),
		"--simulate", "--trial-seconds", "0.01", "--cold-start", "250ms")
	c := lambda.New(lambda.Options{
		Region:       emulate.DefaultRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(emulate.DefaultAccessKey, emulate.DefaultSecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String(emulate.DefaultFunction), LogType: types.LogTypeTail,
		Payload: []byte(`{"study":"s","trial":{"number":1,"model":"noop","params":{"x":1},"seed":1,"attempt":1},"dataset":{},"metric":"","cv":{}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(log), "Init Duration: 250.00 ms") || !strings.Contains(string(out.Payload), `"state":"complete"`) {
		t.Errorf("answer %s, log %q: want a complete noop trial and a 250 ms init", out.Payload, log)
	}
	if !strings.Contains(stdout.String(), "export "+emulate.EnvSimulated+"=1\n") {
		t.Errorf("the export lines do not say the emulation is simulated (for run's cost line):\n%s", stdout)
	}
	if code := stop(); code != 130 && code != 0 {
		t.Errorf("exit %d after Ctrl-C: %s", code, stderr)
	}
	for _, w := range []string{`msg="simulating the execution environments" concurrency=3 trial_seconds=0.01 cold_start=250ms`, "environments=1"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr does not contain %q:\n%s", w, stderr)
		}
	}
}

// TestCostLineSaysSimulated: a study run against a simulated emulation
// says its billed durations were simulated, not measured on this
// machine's cores.
func TestCostLineSaysSimulated(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001")
	for _, tc := range []struct {
		simulated string
		want      string
	}{
		{"1", "billed durations simulated by 'hpsearch emulate --simulate'"},
		{"", "billed durations from the local emulation"},
	} {
		t.Setenv(emulate.EnvSimulated, tc.simulated)
		var b strings.Builder
		writeCostLine(&b, &cost.Breakdown{TotalUSD: 1, PerTrialUSD: 0.5, Invocations: 2}, "arm64")
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s=%q: cost line %q does not say %q", emulate.EnvSimulated, tc.simulated, b.String(), tc.want)
		}
	}
}
