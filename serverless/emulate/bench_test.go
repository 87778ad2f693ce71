package emulate

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// BenchmarkInvoke measures a warm echo invocation through the router
// with the SDK against the same invocation posted to the emulator
// directly; the ratio is the router's and the SDK's overhead.
func BenchmarkInvoke(b *testing.B) {
	e := startEmulation(b, Options{Workers: 1})
	ctx := context.Background()
	c := lambdaClient(e)
	payload := []byte(`{"message":"bench"}`)
	b.Run("router", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(e.Function), Payload: payload}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rie-direct", func(b *testing.B) {
		env := <-e.router.idle // keep the router away from it
		defer func() { e.router.idle <- env }()
		url := "http://" + env.addr + "/2015-03-31/functions/function/invocations"
		for b.Loop() {
			resp, err := http.Post(url, "application/json", bytes.NewReader(payload))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})
}
