package deploy

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// zipTime is the fixed modification time in the package, so that the same
// binary gives the same zip and the same CodeSha256.
var zipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Package zips the bootstrap binary as Lambda's provided runtimes want
// it: one executable file named bootstrap at the root.
func Package(bootstrap []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: Handler, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("deploy: package: %w", err)
	}
	if _, err := w.Write(bootstrap); err != nil {
		return nil, fmt.Errorf("deploy: package: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("deploy: package: %w", err)
	}
	return buf.Bytes(), nil
}

// MaxPackageBytes is the largest package Lambda takes uploaded directly,
// as CreateFunction's and UpdateFunctionCode's ZipFile: 50 MB zipped. A
// larger one goes through S3 (see Template).
const MaxPackageBytes = 50 << 20

// ErrPackageTooLarge marks a package over MaxPackageBytes.
var ErrPackageTooLarge = errors.New("deploy: package too large for a direct upload")

// CheckPackageSize returns an error wrapping ErrPackageTooLarge when pkg
// is over MaxPackageBytes, saying how to make a smaller one.
func CheckPackageSize(pkg []byte) error { return checkPackageSize(pkg, MaxPackageBytes) }

func checkPackageSize(pkg []byte, limit int) error {
	if len(pkg) <= limit {
		return nil
	}
	return fmt.Errorf("%w: %d bytes zipped, Lambda takes at most %d: give --worker a smaller build "+
		"(CGO_ENABLED=0 GOOS=linux go build -tags lambda.norpc -trimpath -ldflags=\"-s -w\" -o bootstrap ./cmd/worker), or deploy with --template through S3",
		ErrPackageTooLarge, len(pkg), limit)
}

// CodeSha256 is the digest Lambda reports for a package, base64 of its
// SHA-256, used to skip uploading code that is already deployed.
func CodeSha256(pkg []byte) string {
	sum := sha256.Sum256(pkg)
	return base64.StdEncoding.EncodeToString(sum[:])
}
