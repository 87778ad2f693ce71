package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go/middleware"
)

const fakeAccount = "123456789012"

// fakeAWS is an in-memory Lambda and IAM, enough for Deploy, that records
// every request it gets.
type fakeAWS struct {
	mu       sync.Mutex
	requests []fakeRequest
	roles    map[string]bool
	funcs    map[string]map[string]any
	// unassumable is how many CreateFunction calls answer that the role
	// cannot be assumed, as Lambda does while a new role propagates.
	unassumable int
	// actions holds the IAM action of every API call the SDK clients
	// made ("lambda:CreateFunction"), recorded on the client side.
	actions map[string]bool
}

type fakeRequest struct {
	Op   string // IAM Action, or "METHOD path" for Lambda
	Form url.Values
	Body map[string]any
}

func newFake() *fakeAWS {
	return &fakeAWS{roles: map[string]bool{}, funcs: map[string]map[string]any{}, actions: map[string]bool{}}
}

// recordActions is an SDK client option that records the IAM action of
// every operation the client calls, whatever the fake answers.
func (f *fakeAWS) recordActions(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("recordAction",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			f.mu.Lock()
			f.actions[strings.ToLower(awsmiddleware.GetServiceID(ctx))+":"+awsmiddleware.GetOperationName(ctx)] = true
			f.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/") {
		req := fakeRequest{Op: r.Method + " " + r.URL.Path}
		_ = json.Unmarshal(body, &req.Body)
		f.requests = append(f.requests, req)
		f.lambda(w, r, req)
		return
	}
	form, _ := url.ParseQuery(string(body))
	f.requests = append(f.requests, fakeRequest{Op: form.Get("Action"), Form: form})
	f.iam(w, form)
}

func (f *fakeAWS) iam(w http.ResponseWriter, form url.Values) {
	name := form.Get("RoleName")
	role := fmt.Sprintf("<Role><Path>/</Path><RoleName>%s</RoleName><RoleId>AROAFAKE</RoleId><Arn>arn:aws:iam::%s:role/%s</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>", name, fakeAccount, name)
	w.Header().Set("Content-Type", "text/xml")
	switch form.Get("Action") {
	case "GetRole":
		if !f.roles[name] {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name %s cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>`, name)
			return
		}
		fmt.Fprintf(w, `<GetRoleResponse><GetRoleResult>%s</GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>`, role)
	case "CreateRole":
		f.roles[name] = true
		fmt.Fprintf(w, `<CreateRoleResponse><CreateRoleResult>%s</CreateRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateRoleResponse>`, role)
	case "PutRolePolicy":
		fmt.Fprint(w, `<PutRolePolicyResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PutRolePolicyResponse>`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>%s</Message></Error></ErrorResponse>`, form.Get("Action"))
	}
}

func lambdaError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}

func (f *fakeAWS) lambda(w http.ResponseWriter, r *http.Request, req fakeRequest) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions"), "/")
	name, sub := "", ""
	if len(parts) > 1 {
		name = parts[1]
	}
	if len(parts) > 2 {
		sub = parts[2]
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost && name == "" {
		if f.unassumable > 0 {
			f.unassumable--
			lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.")
			return
		}
		name = req.Body["FunctionName"].(string)
		cfg := map[string]any{}
		for k, v := range req.Body {
			if k != "Code" {
				cfg[k] = v
			}
		}
		cfg["FunctionArn"] = "arn:aws:lambda:us-east-1:" + fakeAccount + ":function:" + name
		cfg["CodeSha256"] = codeSha(req.Body["Code"].(map[string]any)["ZipFile"].(string))
		cfg["State"], cfg["LastUpdateStatus"] = "Active", "Successful"
		f.funcs[name] = cfg
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(cfg)
		return
	}
	cfg, ok := f.funcs[name]
	if !ok {
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	switch {
	case r.Method == http.MethodGet && sub == "":
		json.NewEncoder(w).Encode(map[string]any{"Configuration": cfg})
	case r.Method == http.MethodGet && sub == "configuration":
		json.NewEncoder(w).Encode(cfg)
	case r.Method == http.MethodPut && sub == "code":
		cfg["CodeSha256"] = codeSha(req.Body["ZipFile"].(string))
		cfg["Architectures"] = req.Body["Architectures"]
		json.NewEncoder(w).Encode(cfg)
	case r.Method == http.MethodPut && sub == "configuration":
		for k, v := range req.Body {
			cfg[k] = v
		}
		json.NewEncoder(w).Encode(cfg)
	default:
		lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "fake: "+req.Op)
	}
}

// codeSha is CodeSha256 of a base64 zip as the SDK sends it.
func codeSha(b64 string) string {
	var b []byte
	_ = json.Unmarshal([]byte(`"`+b64+`"`), &b)
	return CodeSha256(b)
}

func (f *fakeAWS) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, r.Op)
	}
	return out
}

func (f *fakeAWS) find(op string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

func newDeployer(tb testing.TB, f *fakeAWS) *Deployer {
	tb.Helper()
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	return &Deployer{
		Lambda: lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, Retryer: aws.NopRetryer{},
			APIOptions: []func(*middleware.Stack) error{f.recordActions}}),
		IAM: iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, Retryer: aws.NopRetryer{},
			APIOptions: []func(*middleware.Stack) error{f.recordActions}}),
		Poll: time.Millisecond,
		Wait: 2 * time.Second,
	}
}

var testConfig = Config{Function: "hp-test", Bucket: "hp-data", Region: "eu-west-1", Memory: 2048, Timeout: 120 * time.Second, Ephemeral: 1024}

func TestDeployCreates(t *testing.T) {
	f := newFake()
	f.unassumable = 2
	d := newDeployer(t, f)
	binary := []byte("\x7fELF fake bootstrap")
	pkg, err := Package(binary)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Deploy(context.Background(), testConfig, pkg)
	if err != nil {
		t.Fatalf("Deploy: %v\nrequests: %v", err, f.ops())
	}
	if !res.Created || !res.CodeUpdated || res.RoleArn != "arn:aws:iam::"+fakeAccount+":role/hp-test-exec" ||
		res.FunctionArn != "arn:aws:lambda:us-east-1:"+fakeAccount+":function:hp-test" {
		t.Errorf("result %+v", res)
	}

	create := f.find("CreateRole")
	if len(create) != 1 {
		t.Fatalf("%d CreateRole calls; requests %v", len(create), f.ops())
	}
	if got := create[0].Form.Get("RoleName"); got != "hp-test-exec" {
		t.Errorf("role name %q", got)
	}
	assertJSONEqual(t, "trust policy", create[0].Form.Get("AssumeRolePolicyDocument"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`)

	put := f.find("PutRolePolicy")
	if len(put) != 1 || put[0].Form.Get("RoleName") != "hp-test-exec" || put[0].Form.Get("PolicyName") != PolicyName {
		t.Fatalf("PutRolePolicy calls %+v", put)
	}
	assertJSONEqual(t, "execution policy", put[0].Form.Get("PolicyDocument"), `{"Version":"2012-10-17","Statement":[
		{"Sid":"CreateLogGroup","Effect":"Allow","Action":["logs:CreateLogGroup"],"Resource":["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/hp-test:*"]},
		{"Sid":"WriteLogs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/hp-test:log-stream:*"]},
		{"Sid":"ReadDatasets","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::hp-data/datasets/*"]},
		{"Sid":"WriteResults","Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::hp-data/results/*"]},
		{"Sid":"ReadPruneMarkers","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::hp-data/results/*/prune/*"]}]}`)

	fns := f.find("POST /2015-03-31/functions")
	if len(fns) != 3 {
		t.Fatalf("%d CreateFunction calls, want 3 (two while the role propagates)", len(fns))
	}
	b := fns[2].Body
	for k, want := range map[string]any{
		"FunctionName": "hp-test", "Runtime": "provided.al2023", "Handler": "bootstrap",
		"Role": res.RoleArn, "MemorySize": 2048.0, "Timeout": 120.0,
	} {
		if b[k] != want {
			t.Errorf("CreateFunction %s = %v, want %v", k, b[k], want)
		}
	}
	assertJSONEqual(t, "architectures", mustJSON(b["Architectures"]), `["arm64"]`)
	assertJSONEqual(t, "ephemeral storage", mustJSON(b["EphemeralStorage"]), `{"Size":1024}`)
	assertJSONEqual(t, "environment", mustJSON(b["Environment"]), `{"Variables":{"HPSEARCH_BUCKET":"hp-data"}}`)
	var zipped []byte
	_ = json.Unmarshal([]byte(mustJSON(b["Code"].(map[string]any)["ZipFile"])), &zipped)
	checkPackage(t, zipped, binary)
}

func TestDeployUpdates(t *testing.T) {
	f := newFake()
	d := newDeployer(t, f)
	pkg, _ := Package([]byte("v1"))
	if _, err := d.Deploy(context.Background(), testConfig, pkg); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		binary   string
		arch     string
		wantCode bool
	}{
		{"same code", "v1", "arm64", false},
		{"new code", "v2", "arm64", true},
		{"new arch", "v2", "x86_64", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.find("PUT /2015-03-31/functions/hp-test/code"))
			c := testConfig
			c.Arch, c.Memory = tt.arch, 4096
			pkg, _ := Package([]byte(tt.binary))
			res, err := d.Deploy(context.Background(), c, pkg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Created || res.CodeUpdated != tt.wantCode {
				t.Errorf("result %+v, want code updated %v", res, tt.wantCode)
			}
			if n := len(f.find("PUT /2015-03-31/functions/hp-test/code")) - before; n != btoi(tt.wantCode) {
				t.Errorf("%d UpdateFunctionCode calls", n)
			}
			cfgs := f.find("PUT /2015-03-31/functions/hp-test/configuration")
			if len(cfgs) == 0 || cfgs[len(cfgs)-1].Body["MemorySize"] != 4096.0 {
				t.Errorf("configuration not updated: %+v", cfgs)
			}
		})
	}
	if n := len(f.find("CreateRole")); n != 1 {
		t.Errorf("%d CreateRole calls over four deploys, want 1", n)
	}
}

func TestDeployGivesUpOnUnassumableRole(t *testing.T) {
	f := newFake()
	f.unassumable = 1 << 30
	d := newDeployer(t, f)
	d.Wait = 50 * time.Millisecond
	pkg, _ := Package([]byte("v1"))
	_, err := d.Deploy(context.Background(), testConfig, pkg)
	if err == nil || !strings.Contains(err.Error(), "not assumable") {
		t.Fatalf("Deploy = %v, want an error about the role", err)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Bucket: "hp-data", Region: "us-east-1"}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"x86", func(c *Config) { c.Arch = "x86_64" }, ""},
		{"arch", func(c *Config) { c.Arch = "amd64" }, "arch"},
		{"bucket", func(c *Config) { c.Bucket = "" }, "bucket"},
		{"bucket case", func(c *Config) { c.Bucket = "HP" }, "bucket"},
		{"function", func(c *Config) { c.Function = "a b" }, "function"},
		{"memory", func(c *Config) { c.Memory = 64 }, "memory"},
		{"timeout", func(c *Config) { c.Timeout = 901 * time.Second }, "timeout"},
		{"timeout fraction", func(c *Config) { c.Timeout = 1500 * time.Millisecond }, "timeout"},
		{"ephemeral", func(c *Config) { c.Ephemeral = 100 }, "ephemeral"},
		{"region", func(c *Config) { c.Region = "" }, "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Errorf("Validate = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("Validate = %v, want ErrInvalidConfig naming %s", err, tt.field)
			}
		})
	}
}

func TestPackage(t *testing.T) {
	pkg, err := Package([]byte("binary"))
	if err != nil {
		t.Fatal(err)
	}
	checkPackage(t, pkg, []byte("binary"))
	again, _ := Package([]byte("binary"))
	if CodeSha256(pkg) != CodeSha256(again) {
		t.Error("the same binary gave different packages")
	}
}

func TestTemplate(t *testing.T) {
	b, err := Template(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]map[string]any
		Resources  map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	fn := tpl.Resources["Function"]
	if fn.Type != "AWS::Lambda::Function" || fn.Properties["Runtime"] != "provided.al2023" || fn.Properties["Handler"] != "bootstrap" || fn.Properties["MemorySize"] != 2048.0 {
		t.Errorf("function %+v", fn)
	}
	if got := mustJSON(fn.Properties["Environment"]); got != `{"Variables":{"HPSEARCH_BUCKET":{"Ref":"Bucket"}}}` {
		t.Errorf("function environment %s, want the Bucket parameter", got)
	}
	role := tpl.Resources["ExecutionRole"]
	if role.Type != "AWS::IAM::Role" {
		t.Errorf("role %+v", role)
	}
	policy := mustJSON(role.Properties["Policies"])
	for _, want := range []string{
		`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${Bucket}/datasets/*"}`,
		`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${Bucket}/results/*"}`,
		`{"Fn::Sub":"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/hp-test:*"}`,
	} {
		if !strings.Contains(policy, want) {
			t.Errorf("template policy lacks %s:\n%s", want, policy)
		}
	}
	bucket := tpl.Parameters[ParamBucket]
	if bucket["Type"] != "String" || bucket["Default"] != "hp-data" {
		t.Errorf("Bucket parameter %v, want a String defaulting to hp-data", bucket)
	}

	// The bucket is the parameter's default and nowhere else.
	delete(bucket, "Default")
	if rest := mustJSON(tpl); strings.Contains(rest, "hp-data") {
		t.Errorf("bucket hard-coded outside the Bucket parameter's default:\n%s", rest)
	}
	// A named IAM resource would need CAPABILITY_NAMED_IAM, not TemplateCapability.
	for name, r := range tpl.Resources {
		if strings.HasPrefix(r.Type, "AWS::IAM::") {
			for _, p := range []string{"RoleName", "PolicyName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"} {
				if _, ok := r.Properties[p]; ok {
					t.Errorf("%s has a fixed %s: the stack would need CAPABILITY_NAMED_IAM", name, p)
				}
			}
		}
	}
	if TemplateCapability != "CAPABILITY_IAM" {
		t.Errorf("TemplateCapability = %s", TemplateCapability)
	}
	// Every ${X} in an Fn::Sub is a pseudo parameter or a declared one.
	for _, m := range regexp.MustCompile(`\$\{([^}]*)\}`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := tpl.Parameters[m[1]]; !ok && !strings.HasPrefix(m[1], "AWS::") {
			t.Errorf("template refers to undeclared ${%s}", m[1])
		}
	}
}

func TestTemplateBucket(t *testing.T) {
	tests := []struct {
		name    string
		bucket  string
		region  string
		wantErr bool
	}{
		{"no bucket: no default", "", "", false},
		{"no region needed", "hp-data", "", false},
		{"invalid bucket", "Bad_Bucket", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig
			c.Bucket, c.Region = tt.bucket, tt.region
			b, err := Template(c)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Errorf("Template = %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var tpl struct{ Parameters map[string]map[string]any }
			if err := json.Unmarshal(b, &tpl); err != nil {
				t.Fatal(err)
			}
			def, ok := tpl.Parameters[ParamBucket]["Default"]
			if tt.bucket == "" && ok || tt.bucket != "" && def != tt.bucket {
				t.Errorf("Bucket parameter %v, want default %q", tpl.Parameters[ParamBucket], tt.bucket)
			}
		})
	}
}

func checkPackage(tb testing.TB, pkg, binary []byte) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		tb.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
		tb.Fatalf("package holds %+v, want one bootstrap with mode 0755", zr.File)
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, binary) {
		tb.Errorf("bootstrap = %q, want %q", got, binary)
	}
}

func assertJSONEqual(tb testing.TB, what, got, want string) {
	tb.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		tb.Fatalf("%s: %v: %s", what, err, got)
	}
	_ = json.Unmarshal([]byte(want), &w)
	if mustJSON(g) != mustJSON(w) {
		tb.Errorf("%s =\n%s\nwant\n%s", what, mustJSON(g), mustJSON(w))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
