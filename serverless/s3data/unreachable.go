package s3data

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/trial"
)

// Unreachable reports whether err, from a call to an AWS service (S3,
// Lambda), says that the service could not be reached or would not serve
// the caller, rather than answering about the request itself: no HTTP
// answer at all (a connection refused or reset, a name that does not
// resolve, a lost response), a server error (5xx), throttling (429), or
// credentials that could not be found or were refused (401, 403: expired,
// invalid, or without permission). Callers wrap such errors in
// trial.ErrUnavailable. A cancelled or expired ctx is not unreachable:
// the caller gave up.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var sign *v4.SigningError
	if errors.As(err, &sign) {
		return true // no credentials to sign with
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		switch code := re.HTTPStatusCode(); {
		case code >= 500, code == http.StatusTooManyRequests,
			code == http.StatusUnauthorized, code == http.StatusForbidden:
			return true
		}
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorFault() == smithy.FaultServer
	}
	var send *smithyhttp.RequestSendError
	var op *net.OpError
	return NotConnected(err) || errors.As(err, &send) || errors.As(err, &op)
}

// NotConnected reports whether err is a failure to connect: the name did
// not resolve, or the connection was refused or could not be made. Such a
// request never reached the service, so it did nothing there.
func NotConnected(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// unavailable wraps err in trial.ErrUnavailable when S3 was unreachable.
func unavailable(err error) error {
	if Unreachable(err) {
		return fmt.Errorf("%w: %w", trial.ErrUnavailable, err)
	}
	return err
}
