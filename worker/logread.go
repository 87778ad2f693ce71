package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The reading side of the logs Lambda workers store (LogKey): hpsearch
// run copies failed trials' logs into the study directory, the dashboard
// shows their tails.

// LogObjects is the part of the S3 API that reads stored logs; *s3.Client
// satisfies it.
type LogObjects interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// StoredLog is (the end of) a trial's log as a worker stored it.
type StoredLog struct {
	// Body is the log's bytes: the last ones when Cut.
	Body []byte
	// Cut says bytes of the stored object before Body were not read.
	Cut bool
	// URL is the object's s3:// URL.
	URL string
}

// ReadLog reads the log a worker stored for attempt a of trial n of the
// study whose results are at ref (the last attempt that stored one when a
// is 0, which costs a LIST): its last tail bytes, or all of it when tail
// is 0. When there is no such log the error wraps fs.ErrNotExist.
func ReadLog(ctx context.Context, client LogObjects, ref ResultsRef, n, a int, tail int64) (StoredLog, error) {
	key := ""
	if a > 0 {
		key = LogKey(ref.Prefix, n, a)
	} else {
		var err error
		if key, err = lastLog(ctx, client, ref, n); err != nil {
			return StoredLog{}, err
		}
	}
	url := "s3://" + ref.Bucket + "/" + key
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(key)}
	if tail > 0 {
		in.Range = aws.String("bytes=-" + strconv.FormatInt(tail, 10))
	}
	out, err := client.GetObject(ctx, in)
	if err != nil {
		if isNotFound(err) {
			return StoredLog{}, fmt.Errorf("worker: read %s: %w", url, fs.ErrNotExist)
		}
		return StoredLog{}, fmt.Errorf("worker: read %s: %w", url, err)
	}
	defer out.Body.Close()
	limit := int64(MaxStoredLog + 1024) // the cut notice's line
	if tail > 0 {
		limit = tail
	}
	body, err := io.ReadAll(io.LimitReader(out.Body, limit))
	if err != nil {
		return StoredLog{}, fmt.Errorf("worker: read %s: %w", url, err)
	}
	return StoredLog{Body: body, Cut: rangeStart(aws.ToString(out.ContentRange)) > 0, URL: url}, nil
}

// lastLog returns the key of the last attempt's log of trial n.
func lastLog(ctx context.Context, client LogObjects, ref ResultsRef, n int) (string, error) {
	prefix := LogPrefix(ref.Prefix, n)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(ref.Bucket), Prefix: aws.String(prefix)}
	best, bestA := "", 0
	for {
		page, err := client.ListObjectsV2(ctx, in)
		if err != nil {
			return "", fmt.Errorf("worker: list s3://%s/%s: %w", ref.Bucket, prefix, err)
		}
		for _, o := range page.Contents {
			if m, a, ok := ParseLogKey(ref.Prefix, aws.ToString(o.Key)); ok && m == n && a > bestA {
				best, bestA = aws.ToString(o.Key), a
			}
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	if best == "" {
		return "", fmt.Errorf("worker: no log of trial %d under s3://%s/%s: %w", n, ref.Bucket, prefix, fs.ErrNotExist)
	}
	return best, nil
}

// rangeStart returns the first byte of a Content-Range ("bytes 10-99/100"),
// 0 when there is none.
func rangeStart(cr string) int64 {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0
	}
	first, _, _ := strings.Cut(rest, "-")
	n, _ := strconv.ParseInt(first, 10, 64)
	return n
}

// isNotFound reports a missing object.
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}
