package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestDockerfile: the image is the provided.al2023 base, hpsearch's
// worker as bootstrap and entry point, the user's directory at its own
// path as the working directory, and commands allowed.
func TestDockerfile(t *testing.T) {
	got, err := Dockerfile(Image{CodeDir: "/home/ana/my model"})
	if err != nil {
		t.Fatal(err)
	}
	var instructions []string
	for line := range strings.Lines(got) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			instructions = append(instructions, line)
		}
	}
	want := []string{
		"FROM public.ecr.aws/lambda/provided:al2023",
		`COPY --from=hpsearch ["bootstrap", "/var/runtime/bootstrap"]`,
		`COPY [".", "/home/ana/my model/"]`,
		`WORKDIR "/home/ana/my model"`,
		"ENV HPSEARCH_COMMANDS=1",
		`ENTRYPOINT ["/var/runtime/bootstrap"]`,
	}
	if strings.Join(instructions, "\n") != strings.Join(want, "\n") {
		t.Errorf("Dockerfile instructions:\n%s\nwant:\n%s\nwhole file:\n%s", strings.Join(instructions, "\n"), strings.Join(want, "\n"), got)
	}
	if !strings.Contains(got, "# RUN dnf install") {
		t.Errorf("the Dockerfile does not show where to install what the command needs:\n%s", got)
	}
}

// TestImageRefusesCodeDirs: a directory a Dockerfile cannot name, or
// that the image needs, is refused with ErrImage naming it.
func TestImageRefusesCodeDirs(t *testing.T) {
	for _, dir := range []string{"", "relative/dir", "/a/../b", "/a/b/", "/", "/var/runtime", "/var/runtime/x", `/a"b`, `/a\b`, "/a$HOME", "/a\nRUN rm -rf /", "/proc/1", "/tmp", "/tmp/proj"} {
		_, err := Dockerfile(Image{CodeDir: dir})
		if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "code dir") {
			t.Errorf("code dir %q: %v, want ErrImage naming the code dir", dir, err)
		}
	}
}

func TestCheckImageURI(t *testing.T) {
	const digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		uri, region string
		want        string // in the error; "" for none
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp-worker:latest", "eu-west-1", ""},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/hp-worker" + digest, "eu-west-1", ""},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/hp:v1", "cn-north-1", ""},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp-worker:latest", "us-east-1", "in eu-west-1, the function in us-east-1"},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp-worker", "eu-west-1", "REPOSITORY:TAG"},
		{"docker.io/library/hp:latest", "eu-west-1", "Amazon ECR"},
		{"12345.dkr.ecr.eu-west-1.amazonaws.com/hp:latest", "eu-west-1", "ACCOUNT"},
		{"", "eu-west-1", "ACCOUNT"},
	}
	for _, tt := range tests {
		err := CheckImageURI(tt.uri, tt.region)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q in %s: %v", tt.uri, tt.region, err)
		case tt.want != "" && (!errors.Is(err, ErrImage) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q in %s: %v, want ErrImage saying %q", tt.uri, tt.region, err, tt.want)
		}
	}
}

// TestImageCommands: the commands build for the function's platform,
// without provenance (an image index Lambda refuses), with the worker's
// directory as the hpsearch context, and end in the deploy of the URI
// they push.
func TestImageCommands(t *testing.T) {
	c := Config{Function: "Hp-Fn", Bucket: "hp-data", Region: "eu-west-1", Arch: "x86_64"}
	quote := func(s string) string { return "'" + s + "'" }
	got := ImageCommands(c, "/home/ana/proj", "/tmp/img", quote)
	for _, want := range []string{
		"docker build --platform linux/amd64 --provenance=false -f '/tmp/img/Dockerfile' --build-context hpsearch='/tmp/img' -t 'hp-fn:latest' '/home/ana/proj'\n",
		"aws ecr create-repository --repository-name 'hp-fn' --region 'eu-west-1'",
		"aws ecr get-login-password --region 'eu-west-1' | docker login --username AWS --password-stdin ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com\n",
		"docker tag 'hp-fn:latest' ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:latest\n",
		"docker push ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:latest\n",
		"hpsearch deploy --bucket 'hp-data' --function 'Hp-Fn' --arch 'x86_64' --region 'eu-west-1' --image --image-uri ACCOUNT_ID.dkr.ecr.eu-west-1.amazonaws.com/hp-fn:latest\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("commands lack %q:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, "docker push"), strings.Index(got, "hpsearch deploy"); i < 0 || j < i {
		t.Errorf("the deploy is not after the push:\n%s", got)
	}
}

// imageFake is a Lambda that knows image functions, over fakeAWS's IAM.
type imageFake struct {
	*fakeAWS
	packageType string // of an existing function; "" for none
}

func (f *imageFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/2015-03-31/") {
		f.fakeAWS.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	req := fakeRequest{Op: r.Method + " " + r.URL.Path}
	_ = json.Unmarshal(body, &req.Body)
	f.requests = append(f.requests, req)
	w.Header().Set("Content-Type", "application/json")
	cfg := map[string]any{"FunctionArn": "arn:aws:lambda:eu-west-1:" + fakeAccount + ":function:hp-test", "PackageType": f.packageType,
		"State": "Active", "LastUpdateStatus": "Successful", "CodeSha256": "digest"}
	switch {
	case r.Method == http.MethodGet && f.packageType == "":
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found")
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/configuration"):
		json.NewEncoder(w).Encode(cfg)
	case r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(map[string]any{"Configuration": cfg})
	case r.Method == http.MethodPost:
		f.packageType = "Image"
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(cfg)
	default:
		json.NewEncoder(w).Encode(cfg)
	}
}

func newImageDeployer(tb testing.TB, f *imageFake) *Deployer {
	tb.Helper()
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	return &Deployer{
		Lambda: lambda.New(lambda.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, Retryer: aws.NopRetryer{}}),
		IAM:    iam.New(iam.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, Retryer: aws.NopRetryer{}}),
		Poll:   time.Millisecond,
		Wait:   2 * time.Second,
	}
}

// TestDeployImage: a new function is created with package type Image
// from the URI, an image function gets the new image and configuration,
// and a zip function of that name is refused before anything changes.
func TestDeployImage(t *testing.T) {
	const uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hp-test:latest"
	t.Run("create", func(t *testing.T) {
		f := &imageFake{fakeAWS: newFake()}
		res, err := newImageDeployer(t, f).DeployImage(context.Background(), testConfig, uri)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.CodeSha256 != "digest" || res.RoleArn == "" {
			t.Errorf("result %+v", res)
		}
		created := f.find("POST /2015-03-31/functions")
		if len(created) != 1 {
			t.Fatalf("CreateFunction calls: %d; ops %v", len(created), f.ops())
		}
		b := created[0].Body
		code, _ := b["Code"].(map[string]any)
		if b["PackageType"] != "Image" || code["ImageUri"] != uri || code["ZipFile"] != nil || b["Runtime"] != nil || b["Handler"] != nil {
			t.Errorf("CreateFunction %v: want PackageType Image, the image URI, no zip, runtime or handler", b)
		}
		env, _ := b["Environment"].(map[string]any)
		if vars, _ := env["Variables"].(map[string]any); vars["HPSEARCH_BUCKET"] != testConfig.Bucket {
			t.Errorf("environment %v lacks the bucket", env)
		}
	})
	t.Run("update", func(t *testing.T) {
		f := &imageFake{fakeAWS: newFake(), packageType: "Image"}
		res, err := newImageDeployer(t, f).DeployImage(context.Background(), testConfig, uri)
		if err != nil {
			t.Fatal(err)
		}
		code := f.find("PUT /2015-03-31/functions/hp-test/code")
		conf := f.find("PUT /2015-03-31/functions/hp-test/configuration")
		if res.Created || len(code) != 1 || code[0].Body["ImageUri"] != uri || len(conf) != 1 || conf[0].Body["Runtime"] != nil {
			t.Errorf("result %+v, code updates %v, configuration updates %v", res, code, conf)
		}
	})
	t.Run("zip function", func(t *testing.T) {
		f := &imageFake{fakeAWS: newFake(), packageType: "Zip"}
		_, err := newImageDeployer(t, f).DeployImage(context.Background(), testConfig, uri)
		if !errors.Is(err, ErrPackageType) || !strings.Contains(err.Error(), "hp-test") {
			t.Errorf("%v, want ErrPackageType naming the function", err)
		}
		if ops := f.ops(); len(ops) != 1 {
			t.Errorf("calls after finding a zip function: %v, want only GetFunction", ops)
		}
	})
	t.Run("bad URI", func(t *testing.T) {
		f := &imageFake{fakeAWS: newFake()}
		_, err := newImageDeployer(t, f).DeployImage(context.Background(), testConfig, "hp-test:latest")
		if !errors.Is(err, ErrImage) || len(f.ops()) != 0 {
			t.Errorf("%v after %v calls, want ErrImage before any", err, f.ops())
		}
	})
}
