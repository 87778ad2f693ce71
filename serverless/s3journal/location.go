package s3journal

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// Scheme prefixes the URL of a study in S3.
const Scheme = "s3://"

// IsURL reports whether dir names a place in S3 (s3://...) rather than a
// local directory.
func IsURL(dir string) bool { return strings.HasPrefix(dir, Scheme) }

// Location is a place in S3: a bucket and a key prefix without leading or
// trailing slash. A study's Location ends with the study's name; the
// parent of studies (run's --dir) may have an empty Key.
type Location struct {
	Bucket string
	Key    string
}

// Parse parses s3://BUCKET[/KEY]. The bucket must be a valid S3 bucket
// name (s3data.CheckBucketName). Trailing slashes are dropped; a key
// with empty, "." or ".." elements is refused, as it would not name the
// same objects on every S3 implementation.
func Parse(url string) (Location, error) {
	rest, ok := strings.CutPrefix(url, Scheme)
	if !ok {
		return Location{}, fmt.Errorf("s3journal: %w: %q is not an s3://BUCKET/PREFIX URL", trial.ErrBadInput, url)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	key = strings.TrimRight(key, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("s3journal: %w: %q has no bucket (want s3://BUCKET/PREFIX)", trial.ErrBadInput, url)
	}
	if err := s3data.CheckBucketName(bucket); err != nil {
		return Location{}, fmt.Errorf("s3journal: %w: %q: %v", trial.ErrBadInput, url, err)
	}
	if key != "" {
		for _, el := range strings.Split(key, "/") {
			if el == "" || el == "." || el == ".." {
				return Location{}, fmt.Errorf("s3journal: %w: %q has an empty, . or .. path element", trial.ErrBadInput, url)
			}
		}
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// String returns the location as an s3:// URL.
func (l Location) String() string {
	if l.Key == "" {
		return Scheme + l.Bucket
	}
	return Scheme + l.Bucket + "/" + l.Key
}

// Join returns the location of name under l: the study name under run's
// --dir.
func (l Location) Join(name string) Location {
	if l.Key == "" {
		return Location{Bucket: l.Bucket, Key: name}
	}
	return Location{Bucket: l.Bucket, Key: l.Key + "/" + name}
}

// Split returns the parent of a study's location and the study's name.
func (l Location) Split() (parent Location, name string) {
	dir, name := path.Split(l.Key)
	return Location{Bucket: l.Bucket, Key: strings.TrimSuffix(dir, "/")}, name
}

// object returns the key of the file name in the study at l.
func (l Location) object(name string) string { return l.Key + "/" + name }

// journalPrefix is the key prefix of the study's journal segments.
func (l Location) journalPrefix() string { return l.Key + "/journal/" }

// segmentKey returns the key of segment seq: its number zero-padded to 20
// digits, the width of the largest uint64, so that S3's lexicographic
// listing is numeric order.
func (l Location) segmentKey(seq uint64) string {
	return fmt.Sprintf("%s%020d.jsonl", l.journalPrefix(), seq)
}

// parseSegmentKey returns the sequence number of a key made by segmentKey.
func (l Location) parseSegmentKey(key string) (uint64, bool) {
	rest, ok := strings.CutPrefix(key, l.journalPrefix())
	if !ok {
		return 0, false
	}
	digits, ok := strings.CutSuffix(rest, ".jsonl")
	if !ok || len(digits) != 20 {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// url returns the s3:// URL of key in l's bucket.
func (l Location) url(key string) string { return Scheme + l.Bucket + "/" + key }
