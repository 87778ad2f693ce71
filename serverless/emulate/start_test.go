package emulate

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestStartRelativeDir: a relative Dir is the one under the working
// directory at Start, though the gateway runs in another directory, and
// it holds the objects put.
func TestStartRelativeDir(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	e := startEmulation(t, Options{Workers: 1, Dir: filepath.Join("emu", "data")})
	if want := filepath.Join(work, "emu", "data"); e.Dir != want || e.TempDir {
		t.Errorf("Dir %s (temporary %v), want %s kept", e.Dir, e.TempDir, want)
	}
	c := NewS3Client(e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey)
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String("a"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(work, "emu", "data", "s3", e.Bucket, "a")); err != nil || string(b) != "x" {
		t.Errorf("object on disk %q, %v", b, err)
	}
}

// TestStartPortInUse: a fixed port another program holds is a *PortError
// naming the service and the port, reported before the tools are looked
// for (here they could not be: no cache and no go on PATH).
func TestStartPortInUse(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	taken := held.Addr().String()
	_, port, _ := net.SplitHostPort(taken)
	tests := []struct {
		name    string
		opts    Options
		service string
	}{
		{"lambda", Options{LambdaAddr: taken}, "Lambda API"},
		{"s3", Options{S3Addr: taken}, "S3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv("HPSEARCH_RIE", "")
			t.Setenv("HPSEARCH_VERSITYGW", "")
			o := tt.opts
			o.Bootstrap = echoBootstrap
			o.CacheDir = t.TempDir()
			e, err := Start(context.Background(), o)
			if err == nil {
				e.Close()
				t.Fatal("started on a port in use")
			}
			var pe *PortError
			if !errors.As(err, &pe) || !errors.Is(err, ErrPortInUse) {
				t.Fatalf("error %v, want a *PortError for a port in use", err)
			}
			if pe.Service != tt.service || pe.Addr != taken {
				t.Errorf("PortError %+v, want service %s at %s", pe, tt.service, taken)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.service+" port "+port) || !strings.Contains(msg, "in use") {
				t.Errorf("error %q does not name the %s port %s in use", msg, tt.service, port)
			}
			if err := CheckAddrs(o.LambdaAddr, o.S3Addr); !errors.Is(err, ErrPortInUse) {
				t.Errorf("CheckAddrs: %v, want ErrPortInUse", err)
			}
		})
	}
	if err := CheckAddrs("", ""); err != nil {
		t.Errorf("CheckAddrs of free ports: %v", err)
	}
	if _, err := (Options{Bootstrap: echoBootstrap, LambdaAddr: "127.0.0.1:9001", S3Addr: "127.0.0.1:9001"}).withDefaults(); err == nil {
		t.Error("the same address for the Lambda API and S3 was accepted")
	}
}
