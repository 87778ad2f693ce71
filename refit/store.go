package refit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DirStore is the model directory of a study directory: StudyDir/model.
type DirStore struct {
	StudyDir string
}

var _ Store = DirStore{}

// ModelPath returns the path of the model file of the study directory
// studyDir.
func ModelPath(studyDir string) string { return filepath.Join(studyDir, Dir, ModelFile) }

// Put writes name in the model directory, creating it, through a
// temporary file renamed into place.
func (s DirStore) Put(_ context.Context, name string, b []byte) error {
	dir := filepath.Join(s.StudyDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// ObjectPutter is the part of the S3 API S3Store uses; *s3.Client
// satisfies it.
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3Store is the model directory of a study kept in S3: Bucket, under
// Key/model/ (Key is the study's key, as s3journal.Location holds it).
// S3 writes an object whole or not at all.
type S3Store struct {
	API    ObjectPutter
	Bucket string
	Key    string
}

var _ Store = S3Store{}

// Put writes the object Key/model/name.
func (s S3Store) Put(ctx context.Context, name string, b []byte) error {
	key := s.Key + "/" + Dir + "/" + name
	if _, err := s.API.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(b),
	}); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}
