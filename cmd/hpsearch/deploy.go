package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/serverless/deploy"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/trial"
)

func init() {
	register(&command{
		name:    "deploy",
		summary: "build the worker and create or update its Lambda function",
		usage: `Usage: hpsearch deploy --bucket B [flags]

Builds ./cmd/worker for Lambda, zips it as bootstrap, and creates or
updates the function (runtime provided.al2023) with an execution role that
may only write the function's logs, read s3://B/datasets/* and write
s3://B/results/*. Uses the AWS credentials and region of the environment
(AWS_PROFILE, AWS_REGION, ...).

Flags:
  --bucket B        bucket for datasets/ and results/ (default $HPSEARCH_BUCKET)
  --function NAME   function name (default hpsearch-worker)
  --arch A          arm64 or x86_64 (default arm64)
  --memory MB       memory, 128 to 10240 (default 1769: one vCPU)
  --timeout S       invocation timeout in seconds, 1 to 900 (default 300)
  --ephemeral MB    /tmp size, 512 to 10240 (default 512)
  --region R        AWS region (default from the AWS configuration)
  --role NAME       execution role name (default FUNCTION-exec)
  --bootstrap PATH  package this Linux binary instead of building ./cmd/worker
  --zip PATH        also write the package to PATH
  --dry-run         print the plan, package size and policies; call no AWS API
  --template        print an equivalent CloudFormation template and exit

Example:
  hpsearch deploy --bucket my-hpsearch --dry-run
  hpsearch deploy --bucket my-hpsearch --memory 3008
`,
		run: runDeploy,
	})
}

func runDeploy(ctx context.Context, e *env, args []string) error {
	fs := newFlags("deploy")
	var c deploy.Config
	bucketVar(fs, &c.Bucket, os.Getenv("HPSEARCH_BUCKET"))
	fs.StringVar(&c.Function, "function", deploy.DefaultFunction, "")
	fs.StringVar(&c.Arch, "arch", deploy.DefaultArch, "")
	fs.IntVar(&c.Memory, "memory", deploy.DefaultMemory, "")
	timeout := fs.Int("timeout", int(deploy.DefaultTimeout/time.Second), "")
	fs.IntVar(&c.Ephemeral, "ephemeral", deploy.DefaultEphemeral, "")
	fs.StringVar(&c.Region, "region", "", "")
	fs.StringVar(&c.Role, "role", "", "")
	bootstrap := fs.String("bootstrap", "", "")
	zipOut := fs.String("zip", "", "")
	dryRun := fs.Bool("dry-run", false, "")
	template := fs.Bool("template", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	// Zero is not "the default" here; the upper limits are deploy's.
	if err := checkInts(fs, intBound{"memory", 1, math.MaxInt64}, intBound{"timeout", 1, math.MaxInt64}, intBound{"ephemeral", 1, math.MaxInt64}); err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	c.Timeout = time.Duration(*timeout) * time.Second
	c = c.WithDefaults()

	if *template {
		if c.Region == "" {
			c.Region = "us-east-1" // unused: the template takes the stack's region
		}
		if err := c.Validate(); err != nil {
			return usageErr("%v", err)
		}
		b, err := deploy.Template(c)
		if err != nil {
			return fmt.Errorf("deploy: template: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}

	if c.Region == "" {
		c.Region = regionFromEnv()
	}
	if !*dryRun && c.Region == "" {
		cfg, err := loadAWSConfig(ctx)
		if err != nil {
			return fmt.Errorf("deploy: aws config: %w", err)
		}
		c.Region = cfg.Region
	}
	if *dryRun && c.Region == "" {
		c.Region = "us-east-1"
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	}

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	pkg, err := buildPackage(ctx, log, c, *bootstrap)
	if err != nil {
		return err
	}
	if *zipOut != "" {
		if err := os.WriteFile(*zipOut, pkg, 0o644); err != nil {
			return fmt.Errorf("deploy: write package: %w", err)
		}
	}
	if *dryRun {
		return printPlan(e, c, pkg)
	}

	cfg, err := loadAWSConfig(ctx, config.WithRegion(c.Region))
	if err != nil {
		return fmt.Errorf("deploy: aws config: %w", err)
	}
	d := &deploy.Deployer{Lambda: lambda.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg), Log: log}
	res, err := d.Deploy(ctx, c, pkg)
	if err != nil {
		return err
	}
	verb := "updated"
	if res.Created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "%s %s\n  role %s\n  code %s (%d bytes, %s)\n", verb, res.FunctionArn, res.RoleArn,
		res.CodeSha256, res.CodeSize, map[bool]string{true: "uploaded", false: "unchanged"}[res.CodeUpdated])
	fmt.Fprintf(e.stdout, "\nexport HPSEARCH_FUNCTION=%s HPSEARCH_BUCKET=%s AWS_REGION=%s\n", c.Function, c.Bucket, c.Region)
	return nil
}

// buildPackage builds (or reads) the bootstrap and zips it.
func buildPackage(ctx context.Context, log *slog.Logger, c deploy.Config, bootstrap string) ([]byte, error) {
	if bootstrap == "" {
		dir, err := os.MkdirTemp("", "hpsearch-deploy-")
		if err != nil {
			return nil, fmt.Errorf("deploy: %w", err)
		}
		defer os.RemoveAll(dir)
		bootstrap = filepath.Join(dir, "bootstrap")
		log.Info("building the worker", "package", "./cmd/worker", "arch", c.Arch)
		if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, c.GOARCH()); err != nil {
			return nil, err
		}
	}
	bin, err := os.ReadFile(bootstrap)
	if err != nil {
		return nil, fmt.Errorf("deploy: read bootstrap: %w", err)
	}
	return deploy.Package(bin)
}

func printPlan(e *env, c deploy.Config, pkg []byte) error {
	w := e.stdout
	fmt.Fprintf(w, "Plan (dry run, no AWS call made):\n")
	fmt.Fprintf(w, "  function     %s in %s\n", c.Function, c.Region)
	fmt.Fprintf(w, "  runtime      %s, handler %s, %s\n", deploy.Runtime, deploy.Handler, c.Arch)
	fmt.Fprintf(w, "  memory       %d MB, timeout %v, ephemeral storage %d MB\n", c.Memory, c.Timeout, c.Ephemeral)
	fmt.Fprintf(w, "  environment  HPSEARCH_BUCKET=%s\n", c.Bucket)
	fmt.Fprintf(w, "  package      %d bytes (%.1f MiB), CodeSha256 %s\n", len(pkg), float64(len(pkg))/(1<<20), deploy.CodeSha256(pkg))
	fmt.Fprintf(w, "  role         %s (created if missing), inline policy %s\n", c.Role, deploy.PolicyName)
	fmt.Fprintf(w, "\nTrust policy:\n%s\n", deploy.TrustPolicy().JSON())
	fmt.Fprintf(w, "\nExecution policy (ACCOUNT_ID is filled in from the role's ARN):\n%s\n", deploy.ExecutionPolicy(c, "aws", "ACCOUNT_ID").JSON())
	return nil
}

func regionFromEnv() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return os.Getenv("AWS_DEFAULT_REGION")
}
