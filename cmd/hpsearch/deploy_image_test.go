package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/serverless/deploy"
)

// imageCodeDir is a directory for --image-dir that is not under /tmp
// (which Lambda hides, so deploy refuses it): this package's own, which a
// dry run only names.
func imageCodeDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if wd == "/tmp" || strings.HasPrefix(wd, "/tmp/") {
		t.Skip("the source tree is under /tmp, which deploy --image refuses as the code's directory")
	}
	return wd
}

// TestDeployImageDryRun: the dry run shows the Dockerfile, the exact
// docker and aws ecr commands, the function it would deploy and the
// permissions, writes nothing and needs no credentials.
func TestDeployImageDryRun(t *testing.T) {
	noAWS(t)
	code := imageCodeDir(t)
	out := filepath.Join(t.TempDir(), "image")
	const uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:v1"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"before the push", nil, []string{
			"package type Image, arm64",
			"image        none yet: writes " + filepath.Join(out, "Dockerfile"),
			"Dockerfile (" + filepath.Join(out, "Dockerfile") + "):\n",
			"FROM " + deploy.BaseImage + "\n",
			`COPY [".", "` + code + `/"]`,
			"ENV HPSEARCH_COMMANDS=1\n",
			`ENTRYPOINT ["/var/runtime/bootstrap"]`,
			"docker build --platform linux/arm64 --provenance=false -f " + filepath.Join(out, "Dockerfile") + " --build-context hpsearch=" + out + " -t hp-fn:latest " + code + "\n",
			"aws ecr create-repository --repository-name hp-fn --region eu-west-1",
			"docker push ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:latest\n",
			"hpsearch deploy --bucket hp-data --function hp-fn --region eu-west-1 --image --image-uri ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:latest\n",
			"ecr:BatchGetImage", "ecr:SetRepositoryPolicy", "lambda:CreateFunction",
		}},
		{"with the pushed image", []string{"--image-uri", uri}, []string{
			"image        " + uri + "\n",
			"FROM " + deploy.BaseImage + "\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--function", "hp-fn",
				"--image", "--image-dir", code, "--image-out", out, "--dry-run"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("dry run lacks %q:\n%s", w, stdout)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the dry run wrote %s: %v", out, err)
			}
		})
	}
}

// TestDeployImageWritesTheBuild: without an image URI, deploy --image
// writes the Dockerfile and the worker, and prints the commands.
func TestDeployImageWritesTheBuild(t *testing.T) {
	noAWS(t)
	code := imageCodeDir(t)
	out := filepath.Join(t.TempDir(), "image")
	worker := fakeBootstrap(t)
	exit, stdout, stderr := run(t, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--function", "hp-fn",
		"--image", "--image-dir", code, "--image-out", out, "--worker", worker)
	if exit != 0 {
		t.Fatalf("exit %d: %s", exit, stderr)
	}
	want, _ := deploy.Dockerfile(deploy.Image{CodeDir: code})
	if got, err := os.ReadFile(filepath.Join(out, "Dockerfile")); err != nil || string(got) != want {
		t.Errorf("Dockerfile %q (%v), want %q", got, err, want)
	}
	bin, _ := os.ReadFile(worker)
	got, err := os.ReadFile(filepath.Join(out, "bootstrap"))
	if err != nil || string(got) != string(bin) {
		t.Errorf("bootstrap is not the worker (%v)", err)
	}
	if st, err := os.Stat(filepath.Join(out, "bootstrap")); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("bootstrap is not executable: %v", st)
	}
	for _, w := range []string{"wrote " + filepath.Join(out, "Dockerfile"), "docker build ", "docker push ", "--image-uri "} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
}

// TestDeployImageBadInput: each is exit 2, naming what is wrong, before
// anything is built or written.
func TestDeployImageBadInput(t *testing.T) {
	noAWS(t)
	code := imageCodeDir(t)
	base := []string{"deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--dry-run"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"uri without --image", []string{"--image-uri", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp:v1"}, "--image-uri needs --image"},
		{"not ECR", []string{"--image", "--image-dir", code, "--image-uri", "docker.io/me/hp:v1"}, "Amazon ECR"},
		{"other region", []string{"--image", "--image-dir", code, "--image-uri", "123456789012.dkr.ecr.us-east-1.amazonaws.com/hp:v1"}, "in us-east-1, the function in eu-west-1"},
		{"no such dir", []string{"--image", "--image-dir", filepath.Join(code, "no-such-dir")}, "not a directory"},
		{"code in /tmp", []string{"--image", "--image-dir", t.TempDir()}, "/tmp"},
		{"out inside code", []string{"--image", "--image-dir", code, "--image-out", filepath.Join(code, "img")}, "inside --image-dir"},
		{"template", []string{"--image", "--template"}, "--image and --template"},
		{"zip", []string{"--image", "--zip", "x.zip"}, "--image and --zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "code in /tmp" && !strings.HasPrefix(os.TempDir(), "/tmp") {
				t.Skip("the temporary directory is not under /tmp")
			}
			exit, stdout, stderr := run(t, append(base, tt.args...)...)
			if exit != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q: want 2 saying %q", exit, stderr, tt.want)
			}
			if strings.Contains(stdout, "Dockerfile") {
				t.Errorf("printed a plan for bad input:\n%s", stdout)
			}
		})
	}
}
