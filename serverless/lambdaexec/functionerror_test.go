package lambdaexec

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/trial"
)

// TestFunctionErrorMessage: a function error is the trial's failure, with
// the error document's type and message, or the payload as it came when
// it is no document; an empty payload is said to be one, not reported as
// an empty reason.
func TestFunctionErrorMessage(t *testing.T) {
	tests := []struct {
		name, payload, want string
	}{
		{"document", `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 1 Error: Runtime exited"}`,
			"lambda: function error (Unhandled): Runtime.ExitError: RequestId: 1 Error: Runtime exited"},
		{"not a document", "boom\n", "lambda: function error (Unhandled): boom"},
		{"empty", "", "lambda: function error (Unhandled): no error document (empty payload)"},
		{"blank", " \n", "lambda: function error (Unhandled): no error document (empty payload)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: []byte(tt.payload)}
			r := new(Executor).result(trial.Trial{Number: 7, Model: "noop"}, out, 0)
			if r.State != trial.Failed || r.Error != tt.want {
				t.Errorf("got %s %q, want failed %q", r.State, r.Error, tt.want)
			}
			if strings.HasSuffix(r.Error, ": ") {
				t.Errorf("empty reason: %q", r.Error)
			}
		})
	}
}
