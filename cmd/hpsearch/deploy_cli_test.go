package main

import (
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hpsearch/hpsearch/serverless/deploy"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
)

// noAWS empties the standard AWS chain for the test: no region, no
// credentials, no config files, no instance metadata.
func noAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "", "HPSEARCH_BUCKET": "",
	} {
		t.Setenv(k, v)
	}
}

// fakeBootstrap is a file for --bootstrap, so that a dry run builds
// nothing: the headers of a static linux/arm64 binary.
func fakeBootstrap(t *testing.T) string {
	t.Helper()
	return fakeELF(t, elf.EM_AARCH64, "")
}

func TestDeployRegion(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		profile string // the shared config file's content
		args    []string
		want    string // region in the plan; "" for the no-region error
	}{
		{name: "none, dry run", args: []string{"--dry-run"}},
		{name: "none, deploy", args: nil},
		{name: "AWS_REGION", env: map[string]string{"AWS_REGION": "eu-west-2"}, args: []string{"--dry-run"}, want: "eu-west-2"},
		{name: "AWS_DEFAULT_REGION", env: map[string]string{"AWS_DEFAULT_REGION": "eu-north-1"}, args: []string{"--dry-run"}, want: "eu-north-1"},
		{name: "profile", env: map[string]string{"AWS_PROFILE": "work"}, profile: "[default]\nregion = us-west-1\n[profile work]\nregion = ap-south-1\n",
			args: []string{"--dry-run"}, want: "ap-south-1"},
		{name: "default profile", profile: "[default]\nregion = us-west-1\n", args: []string{"--dry-run"}, want: "us-west-1"},
		{name: "flag first", env: map[string]string{"AWS_REGION": "eu-west-2"}, args: []string{"--dry-run", "--region", "sa-east-1"}, want: "sa-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noAWS(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.profile != "" {
				writeFile(t, filepath.Dir(os.Getenv("AWS_CONFIG_FILE")), "config", tt.profile)
			}
			bootstrap := fakeBootstrap(t)
			if tt.want == "" {
				// Not there: the region is checked before the package is made.
				bootstrap = filepath.Join(t.TempDir(), "missing")
			}
			code, out, stderr := run(t, append([]string{"deploy", "--bucket", "hp-data", "--bootstrap", bootstrap}, tt.args...)...)
			if tt.want == "" {
				if code != 2 || !strings.Contains(stderr, "--region") || !strings.Contains(stderr, "AWS_REGION") || strings.Contains(stderr, "bootstrap") || out != "" {
					t.Fatalf("exit %d, stdout %q, stderr %q: want exit 2 naming --region and AWS_REGION, before the package", code, out, stderr)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(out, "hpsearch-worker in "+tt.want+"\n") || !strings.Contains(out, "arn:aws:logs:"+tt.want+":") {
				t.Errorf("plan not for %s:\n%s", tt.want, out)
			}
		})
	}
}

func TestDeployWithoutCredentials(t *testing.T) {
	noAWS(t)
	t.Setenv("AWS_REGION", "eu-west-1")
	want := lambdaexec.CheckCredentials(context.Background(), aws.AnonymousCredentials{})
	if want == nil {
		t.Fatal("CheckCredentials accepted anonymous credentials")
	}
	// No --bootstrap: with credentials, this would build the worker.
	code, out, stderr := run(t, "deploy", "--bucket", "hp-data")
	if code != 1 || !strings.Contains(stderr, want.Error()) || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q: want exit 1 with run's message %q", code, out, stderr, want)
	}
	if strings.Contains(stderr, "building") {
		t.Errorf("built the worker before finding there are no credentials: %s", stderr)
	}
}

func TestDeployDryRunListsPermissions(t *testing.T) {
	noAWS(t) // the dry run needs no credentials
	code, out, stderr := run(t, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--function", "hp-fn",
		"--bootstrap", fakeBootstrap(t), "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, perms, ok := strings.Cut(out, "Permissions the deploying identity needs")
	if !ok {
		t.Fatalf("dry run lists no permissions for the deploying identity:\n%s", out)
	}
	for _, p := range deploy.DeployerPermissions {
		if !strings.Contains(perms, p.Action) {
			t.Errorf("dry run does not list %s", p.Action)
		}
	}
	c := deploy.Config{Bucket: "hp-data", Region: "eu-west-1", Function: "hp-fn"}
	if policy := deploy.DeployerPolicy(c, "aws", "ACCOUNT_ID").JSON(); !strings.Contains(perms, policy) {
		t.Errorf("dry run lacks the deployer policy\n%s\nin\n%s", policy, perms)
	}
}

func TestDeployTemplate(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		toFile bool
		bucket string // in the commands
	}{
		{"file", []string{"--bucket", "hp-data"}, true, "hp-data"},
		{"stdout", []string{"--bucket", "hp-data", "--region", "eu-west-1"}, false, "hp-data"},
		{"no bucket", nil, true, "BUCKET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noAWS(t) // a template needs no region and no credentials
			file := filepath.Join(t.TempDir(), "my stack", "worker.json")
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"deploy", "--template"}, tt.args...)
			if tt.toFile {
				args = append(args, "--template-file", file)
			}
			code, out, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tplText, commands := out, stderr
			if tt.toFile {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				tplText, commands = string(b), out
			}
			var tpl struct {
				Parameters map[string]map[string]any
				Resources  map[string]struct{ Properties map[string]any }
			}
			if err := json.Unmarshal([]byte(tplText), &tpl); err != nil {
				t.Fatalf("template is not JSON: %v\n%s", err, tplText)
			}
			if _, ok := tpl.Resources["ExecutionRole"].Properties["RoleName"]; ok {
				t.Error("the role has a fixed RoleName")
			}
			var deployLine string
			for _, l := range strings.Split(commands, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "aws cloudformation deploy ") {
					deployLine = strings.TrimSpace(l)
				}
			}
			words := shellWords(t, deployLine)
			flags := map[string][]string{}
			for i, last := 0, ""; i < len(words); i++ {
				if strings.HasPrefix(words[i], "--") {
					last = words[i]
					flags[last] = nil
				} else if last != "" {
					flags[last] = append(flags[last], words[i])
				}
			}
			wantFile := "hpsearch-worker.template.json" // where it says to save it
			if tt.toFile {
				wantFile = file
			}
			if got := flags["--template-file"]; len(got) != 1 || got[0] != wantFile {
				t.Errorf("--template-file %q, want %s, in %q", got, wantFile, deployLine)
			}
			if got := flags["--capabilities"]; len(got) != 1 || got[0] != "CAPABILITY_IAM" {
				t.Errorf("--capabilities %q, want CAPABILITY_IAM, in %q", got, deployLine)
			}
			overrides := map[string]string{}
			for _, kv := range flags["--parameter-overrides"] {
				k, v, _ := strings.Cut(kv, "=")
				overrides[k] = v
			}
			if overrides["Bucket"] != tt.bucket {
				t.Errorf("Bucket=%q, want %q, in %q", overrides["Bucket"], tt.bucket, deployLine)
			}
			for name, p := range tpl.Parameters {
				if _, ok := p["Default"]; !ok && overrides[name] == "" {
					t.Errorf("parameter %s has no default and no override in %q", name, deployLine)
				}
			}
			if d := tpl.Parameters["Bucket"]["Default"]; tt.bucket != "BUCKET" && d != tt.bucket {
				t.Errorf("Bucket parameter default %v, want %s", d, tt.bucket)
			}
		})
	}
}

// shellWords splits a POSIX shell command line made of plain words and
// single-quoted ones, as shellQuote writes them.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quotes in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		t.Fatalf("no command in %q", line)
	}
	return words
}

func TestDeployAccessDeniedPointsAtDryRun(t *testing.T) {
	noAWS(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:GetRole</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	code, _, stderr := run(t, "deploy", "--bucket", "hp-data", "--bootstrap", fakeBootstrap(t))
	if code != 1 || !strings.Contains(stderr, "iam:GetRole") || !strings.Contains(stderr, "hpsearch deploy --dry-run") {
		t.Fatalf("exit %d, stderr %q: want exit 1 pointing at the dry run's permissions", code, stderr)
	}
}
