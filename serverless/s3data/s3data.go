package s3data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// Prefix is the key prefix of pushed datasets; a worker reads only keys
// under its HPSEARCH_DATASETS_PREFIX, which defaults to the same.
const Prefix = worker.DefaultDatasetsPrefix

// API is the part of the S3 API this package uses; *s3.Client satisfies
// it.
type API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// NewClient returns an S3 client for cfg, addressing buckets path-style
// (which needs no DNS) when worker.UsePathStyle says so: for an emulator
// such as versitygw configured through AWS_ENDPOINT_URL_S3.
func NewClient(cfg aws.Config, getenv func(string) string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = worker.UsePathStyle(getenv)
	})
}

// Push stores d's binary form in bucket under datasets/<sha256> unless an
// object of that name already exists, and returns the reference a worker
// Request carries. uploaded reports whether anything was written.
func Push(ctx context.Context, client API, bucket string, d *datasets.Dataset) (ref worker.DatasetRef, uploaded bool, err error) {
	b, err := d.MarshalBinary()
	if err != nil {
		return ref, false, fmt.Errorf("s3data: push %s: %w", d.Name, err)
	}
	// d.SHA256 is the hash of this same encoding; hashing b saves
	// encoding twice.
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	ref = worker.DatasetRef{Bucket: bucket, Key: Prefix + sum, SHA256: sum}
	loc := "s3://" + bucket + "/" + ref.Key
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(ref.Key)})
	switch {
	case err == nil:
		return ref, false, nil
	case !IsNotFound(err):
		return ref, false, fmt.Errorf("s3data: push %s: head %s: %w", d.Name, loc, unavailable(err))
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(ref.Key),
		Body:          bytes.NewReader(b),
		ContentLength: aws.Int64(int64(len(b))),
		ContentType:   aws.String("application/octet-stream"),
		Metadata:      map[string]string{"sha256": sum, "dataset": d.Name},
	})
	if err != nil {
		return ref, false, fmt.Errorf("s3data: push %s: put %s: %w", d.Name, loc, unavailable(err))
	}
	return ref, true, nil
}

// IsNotFound reports whether err is S3's answer for a missing object or
// bucket (HeadObject answers a bare 404 without an error code).
func IsNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var nsb *types.NoSuchBucket
	if errors.As(err, &nsk) || errors.As(err, &nf) || errors.As(err, &nsb) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey", "NoSuchBucket", "404":
			return true
		}
	}
	return false
}

// ParseURI splits an s3://bucket/key URI; the bucket must be a valid
// bucket name (CheckBucketName).
func ParseURI(uri string) (bucket, key string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return "", "", &trial.InputError{File: uri, Msg: "not an s3://bucket/key URI"}
	}
	if err := CheckBucketName(u.Host); err != nil {
		return "", "", &trial.InputError{File: uri, Msg: err.Error()}
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// Fetch reads the CSV or Parquet dataset at an s3://bucket/key URI: it
// downloads the object to a temporary file named like the key (so the
// dataset's name is the key's base name, as for a local file), loads it
// with datasets.Load and removes the file.
func Fetch(ctx context.Context, client API, uri string, opts datasets.Options) (*datasets.Dataset, error) {
	bucket, key, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	base := path.Base(key)
	switch strings.ToLower(path.Ext(base)) {
	case ".csv", ".parquet":
	default:
		return nil, &trial.InputError{File: uri, Msg: "an s3:// dataset must be a .csv or .parquet file"}
	}
	dir, err := os.MkdirTemp("", "hpsearch-s3-")
	if err != nil {
		return nil, fmt.Errorf("s3data: fetch %s: %w", uri, err)
	}
	defer os.RemoveAll(dir)
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if IsNotFound(err) {
			return nil, &trial.InputError{File: uri, Msg: "no such object", Err: err}
		}
		return nil, fmt.Errorf("s3data: fetch %s: %w", uri, unavailable(err))
	}
	file := filepath.Join(dir, base)
	f, err := os.Create(file)
	if err != nil {
		out.Body.Close()
		return nil, fmt.Errorf("s3data: fetch %s: %w", uri, err)
	}
	_, err = io.Copy(f, out.Body)
	out.Body.Close()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("s3data: fetch %s: download: %w", uri, unavailable(err))
	}
	d, err := datasets.Load(file, opts)
	if err != nil {
		// Report bad input against the URI the user wrote, not the
		// temporary file.
		var ie *trial.InputError
		if errors.As(err, &ie) && ie.File == file {
			ie.File = uri
			return nil, err
		}
		return nil, fmt.Errorf("s3data: fetch %s: %w", uri, err)
	}
	return d, nil
}
