package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestAWSSDKWarningsGoToSlog: away from EC2, where the instance metadata
// service refuses a token, the SDK's "falling back to IMDSv1" warning
// goes to slog at debug level, not to standard error.
func TestAWSSDKWarningsGoToSlog(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden) // the token, and then the credentials
	}))
	defer imds.Close()
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      imds.URL,
		"AWS_EC2_METADATA_DISABLED":              "false",
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_CONFIG_FILE":                        os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE":            os.DevNull,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_REGION":                             "us-east-1",
	} {
		t.Setenv(k, v)
	}
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	stderr := captureStderr(t, func() {
		cfg, err := loadAWSConfig(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.Credentials.Retrieve(context.Background()); err == nil {
			t.Error("credentials retrieved from a metadata service that refuses everything")
		}
	})
	if strings.Contains(stderr, "IMDS") || strings.Contains(stderr, "WARN") {
		t.Errorf("the SDK wrote to standard error: %s", stderr)
	}
	if !strings.Contains(logged.String(), "falling back to IMDSv1") || !strings.Contains(logged.String(), "level=DEBUG") {
		t.Errorf("slog got %q, want the SDK's warning at debug level", logged.String())
	}
}

// captureStderr returns what f wrote to os.Stderr.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { os.Stderr = old }()
	f()
	os.Stderr = old
	w.Close()
	return <-done
}
