package emulate_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"runtime"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// Start an emulation of the worker with four execution environments and
// invoke it through the AWS SDK.
func Example() {
	ctx := context.Background()
	bootstrap := filepath.Join("/tmp", "hpsearch-worker", "bootstrap")
	if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, runtime.GOARCH); err != nil {
		log.Fatal(err)
	}
	em, err := emulate.Start(ctx, emulate.Options{Workers: 4, Bootstrap: bootstrap})
	if err != nil {
		log.Fatal(err)
	}
	defer em.Close()

	c := lambda.New(lambda.Options{
		Region:       em.Region,
		BaseEndpoint: aws.String(em.LambdaEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(em.AccessKey, em.SecretKey, ""),
	})
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(em.Function), Payload: []byte(`{}`)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(out.FunctionError), string(out.Payload))
}
