package s3data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

func responseError(status int, err error) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}
}

func TestUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, tt := range []struct {
		name              string
		err               error
		unreachable, dial bool
	}{
		{"connection refused", &smithyhttp.RequestSendError{Err: refused}, true, true},
		{"dns", &smithyhttp.RequestSendError{Err: &net.DNSError{Err: "no such host", Name: "s3.example", IsNotFound: true}}, true, true},
		{"connection reset", &smithyhttp.RequestSendError{Err: reset}, true, false},
		{"lost response", responseError(0, &smithyhttp.RequestSendError{Err: io.EOF}), true, false},
		{"server error", responseError(503, errors.New("slow down")), true, false},
		{"server fault", &smithy.GenericAPIError{Code: "InternalError", Fault: smithy.FaultServer}, true, false},
		{"throttled", responseError(429, errors.New("too many requests")), true, false},
		{"expired token", responseError(403, &smithy.GenericAPIError{Code: "ExpiredToken"}), true, false},
		{"unauthorized", responseError(401, errors.New("unauthorized")), true, false},
		{"no credentials", &v4.SigningError{Err: errors.New("failed to retrieve credentials")}, true, false},
		{"wrapped", fmt.Errorf("push: %w", &smithyhttp.RequestSendError{Err: refused}), true, true},
		{"not found", responseError(404, &types.NotFound{}), false, false},
		{"bad request", responseError(400, errors.New("bad digest")), false, false},
		{"client fault", &smithy.GenericAPIError{Code: "InvalidArgument", Fault: smithy.FaultClient}, false, false},
		{"cancelled", fmt.Errorf("get: %w", context.Canceled), false, false},
		{"deadline", &smithyhttp.RequestSendError{Err: context.DeadlineExceeded}, false, false},
		{"other", errors.New("disk full"), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unreachable(tt.err); got != tt.unreachable {
				t.Errorf("Unreachable(%v) = %v, want %v", tt.err, got, tt.unreachable)
			}
			if got := NotConnected(tt.err); got != tt.dial {
				t.Errorf("NotConnected(%v) = %v, want %v", tt.err, got, tt.dial)
			}
		})
	}
}

// downS3 is S3 that cannot be reached.
type downS3 struct{}

func (downS3) err() error {
	return &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

func (d downS3) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return nil, d.err()
}

func (d downS3) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, d.err()
}

func (d downS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return nil, d.err()
}

// TestUnreachableS3IsUnavailable: Push and Fetch against S3 that cannot
// be reached fail with trial.ErrUnavailable, not as bad input.
func TestUnreachableS3IsUnavailable(t *testing.T) {
	d, err := datasets.Load("iris", datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Push(context.Background(), downS3{}, "bkt", d)
	if !errors.Is(err, trial.ErrUnavailable) {
		t.Errorf("Push: %v, want ErrUnavailable", err)
	}
	_, err = Fetch(context.Background(), downS3{}, "s3://bkt/data/iris.csv", datasets.Options{})
	if !errors.Is(err, trial.ErrUnavailable) || errors.Is(err, trial.ErrBadInput) {
		t.Errorf("Fetch: %v, want ErrUnavailable", err)
	}
}
