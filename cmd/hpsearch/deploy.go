package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/serverless/deploy"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newDeployCmd) }

// newDeployCmd builds "hpsearch deploy".
func newDeployCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy --bucket B [flags]",
		Short: "package the worker and create or update its Lambda function",
		Long: `Zips the worker as bootstrap and creates or updates the function
(runtime provided.al2023) with an execution role that
may only write the function's logs, read s3://B/datasets/* and write
s3://B/results/*. Uses the AWS credentials and region of the environment
(AWS_PROFILE, AWS_REGION, ...); with no region there, give --region. The
dry run lists the IAM permissions the deploying identity needs.

The worker is this executable, which serves Lambda invocations when it
finds itself in a Lambda runtime, if it is a statically linked Linux
binary for the function's architecture (CGO_ENABLED=0 go install ... on a
Linux machine of that architecture). Otherwise deploy cross-compiles
./cmd/worker, which needs Go and the hpsearch source tree; without them it
says so, and --worker PATH packages a binary you built.

--image is for command studies, whose programs the function runs: it
writes a Dockerfile (based on public.ecr.aws/lambda/provided:al2023, with
the worker as its entry point, the directory --image-dir copied in at the
same path, and HPSEARCH_COMMANDS=1) and the worker beside it, and prints
the docker and aws ecr commands that build and push the image. Given
--image-uri (the image pushed to ECR), it deploys a container-image
function running it instead. Whoever may invoke that function can run
programs in it. --dry-run shows all of it and writes nothing.`,
		Example: `  hpsearch deploy --bucket my-hpsearch --dry-run
  hpsearch deploy --bucket my-hpsearch --memory 3008
  hpsearch deploy --bucket my-hpsearch --template-file worker.json
  hpsearch deploy --bucket my-hpsearch --image --image-dir ./my-model
  hpsearch deploy --bucket my-hpsearch --image --image-uri 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hpsearch-worker:latest`,
	}
	fs := cmd.Flags()
	var c deploy.Config
	bucketVar(fs, &c.Bucket, os.Getenv("HPSEARCH_BUCKET"), "bucket `B` for datasets/ and results/ (default $HPSEARCH_BUCKET)")
	fs.StringVar(&c.Function, "function", deploy.DefaultFunction, "function `NAME`")
	fs.StringVar(&c.Arch, "arch", deploy.DefaultArch, "`ARCH`: arm64 or x86_64")
	fs.IntVar(&c.Memory, "memory", deploy.DefaultMemory, "memory in `MB`, 128 to 10240 (1769: one vCPU)")
	timeout := fs.Int("timeout", int(deploy.DefaultTimeout/time.Second), "invocation timeout in seconds `S`, 1 to 900")
	fs.IntVar(&c.Ephemeral, "ephemeral", deploy.DefaultEphemeral, "/tmp size in `MB`, 512 to 10240")
	fs.StringVar(&c.Region, "region", "", "AWS region `R` (default AWS_REGION, AWS_DEFAULT_REGION or the\nprofile's region; there is no fallback)")
	fs.StringVar(&c.Role, "role", "", "execution role `NAME` (default FUNCTION-exec)")
	worker := fs.String("worker", "", "package this statically linked Linux binary `PATH` (a build of\nhpsearch or ./cmd/worker for the function's architecture)")
	// --bootstrap is the old name of --worker.
	fs.StringVar(worker, "bootstrap", "", "same as --worker")
	_ = fs.MarkHidden("bootstrap")
	zipOut := fs.String("zip", "", "also write the package to `PATH`")
	dryRun := fs.Bool("dry-run", false, "print the plan, package size, policies and the permissions\ndeploying needs; call no AWS API, need no credentials")
	template := fs.Bool("template", false, "print an equivalent CloudFormation template (the bucket\nis its Bucket parameter) and the commands that deploy it")
	templateFile := fs.String("template-file", "", "write the template to `F` instead of standard output")
	var img imageFlags
	fs.BoolVar(&img.image, "image", false, "a container image with your code, for command studies (see above)")
	fs.StringVar(&img.dir, "image-dir", ".", "with --image, your code's directory `D`: the spec's directory")
	fs.StringVar(&img.out, "image-out", "", "with --image, write the Dockerfile and worker into `D`\n(default: under the hpsearch cache, per function)")
	fs.StringVar(&img.uri, "image-uri", "", "with --image, deploy the pushed image `URI` (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		// Zero is not "the default" here; the upper limits are deploy's.
		if err := checkInts(fs, intBound{"memory", 1, math.MaxInt64}, intBound{"timeout", 1, math.MaxInt64}, intBound{"ephemeral", 1, math.MaxInt64}); err != nil {
			return err
		}
		if len(pos) > 0 {
			return usageErr("unexpected argument %q", pos[0])
		}
		c.Timeout = time.Duration(*timeout) * time.Second
		c = c.WithDefaults()

		if err := img.check(fs); err != nil {
			return err
		}
		if *template || *templateFile != "" {
			if img.image {
				return usageErr("--image and --template: the template deploys the zip package")
			}
			return writeTemplate(e, c, *templateFile)
		}

		// One rule for the region, dry run or not, checked before anything
		// is built: --region, else the AWS chain's, else bad input.
		awsCfg, err := deployAWSConfig(ctx, c.Region)
		if err != nil {
			return err
		}
		c.Region = awsCfg.Region
		if err := c.Validate(); err != nil {
			return fmt.Errorf("%w: %w", trial.ErrBadInput, err)
		}
		if img.image {
			if *zipOut != "" {
				return usageErr("--image and --zip: an image function has no zip package")
			}
			return deployImage(ctx, e, c, awsCfg, img, *dryRun, *worker)
		}
		if !*dryRun {
			// run's message, before minutes of building for nothing.
			if err := lambdaexec.CheckCredentials(ctx, awsCfg.Credentials); err != nil {
				return err
			}
		}

		log := slog.New(slog.NewTextHandler(e.stderr, nil))
		pkg, why, err := buildPackage(ctx, log, c, *worker)
		if err != nil {
			return err
		}
		if *zipOut != "" {
			if err := os.WriteFile(*zipOut, pkg, 0o644); err != nil {
				return fmt.Errorf("deploy: write package: %w", err)
			}
		}
		if *dryRun {
			return printPlan(e, c, pkg, why)
		}

		d := &deploy.Deployer{Lambda: lambda.NewFromConfig(awsCfg), IAM: iam.NewFromConfig(awsCfg), Log: log}
		res, err := d.Deploy(ctx, c, pkg)
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden {
			return fmt.Errorf("%w\n(the deploying identity needs the permissions that 'hpsearch deploy --dry-run' lists)", err)
		}
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
	return cmd
}

// buildPackage zips the worker deploy.PlanWorker chooses: --worker, this
// executable, or a build of ./cmd/worker. It returns the package and where
// its worker came from.
func buildPackage(ctx context.Context, log *slog.Logger, c deploy.Config, worker string) ([]byte, string, error) {
	bin, why, err := workerBinary(ctx, log, c, worker)
	if err != nil {
		return nil, "", err
	}
	pkg, err := deploy.Package(bin)
	return pkg, why, err
}

// workerBinary returns the worker deploy.PlanWorker chooses, built if
// need be, and where it came from.
func workerBinary(ctx context.Context, log *slog.Logger, c deploy.Config, worker string) ([]byte, string, error) {
	self, err := runningExecutable()
	if err != nil {
		return nil, "", err
	}
	plan, err := deploy.PlanWorker(ctx, c, worker, self, workerBuilder{})
	if errors.Is(err, deploy.ErrInvalidConfig) {
		return nil, "", fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	}
	if err != nil {
		return nil, "", err
	}
	if plan.Build {
		dir, err := os.MkdirTemp("", "hpsearch-deploy-")
		if err != nil {
			return nil, "", fmt.Errorf("deploy: %w", err)
		}
		defer os.RemoveAll(dir)
		plan.Path = filepath.Join(dir, "bootstrap")
		log.Info("building the worker", "package", "./cmd/worker", "arch", c.Arch, "why", plan.Why)
		if err := (workerBuilder{}).Build(ctx, plan.Path, c.GOARCH()); err != nil {
			return nil, "", err
		}
	} else {
		log.Info("packaging the worker", "path", plan.Path)
	}
	bin, err := os.ReadFile(plan.Path)
	if err != nil {
		return nil, "", fmt.Errorf("deploy: read worker: %w", err)
	}
	return bin, plan.Why, nil
}

// runningExecutable is deploy.Running; tests stand in a binary of the
// function's platform for the test binary.
var runningExecutable = deploy.Running

// workerBuilder cross-compiles ./cmd/worker from the source tree.
type workerBuilder struct{}

var _ deploy.Builder = workerBuilder{}

func (workerBuilder) Ready(ctx context.Context) error { return emulate.WorkerBuildReady(ctx) }

func (workerBuilder) Build(ctx context.Context, out, goarch string) error {
	return emulate.BuildWorker(ctx, "./cmd/worker", out, goarch)
}

func printPlan(e *env, c deploy.Config, pkg []byte, worker string) error {
	w := e.stdout
	fmt.Fprintf(w, "Plan (dry run, no AWS call made):\n")
	fmt.Fprintf(w, "  function     %s in %s\n", c.Function, c.Region)
	fmt.Fprintf(w, "  runtime      %s, handler %s, %s\n", deploy.Runtime, deploy.Handler, c.Arch)
	fmt.Fprintf(w, "  memory       %d MB, timeout %v, ephemeral storage %d MB\n", c.Memory, c.Timeout, c.Ephemeral)
	fmt.Fprintf(w, "  environment  HPSEARCH_BUCKET=%s\n", c.Bucket)
	fmt.Fprintf(w, "  worker       %s\n", worker)
	fmt.Fprintf(w, "  package      %d bytes (%.1f MiB), CodeSha256 %s\n", len(pkg), float64(len(pkg))/(1<<20), deploy.CodeSha256(pkg))
	fmt.Fprintf(w, "  role         %s (created if missing), inline policy %s\n", c.Role, deploy.PolicyName)
	fmt.Fprintf(w, "\nTrust policy:\n%s\n", deploy.TrustPolicy().JSON())
	fmt.Fprintf(w, "\nExecution policy (ACCOUNT_ID is filled in from the role's ARN):\n%s\n", deploy.ExecutionPolicy(c, "aws", "ACCOUNT_ID").JSON())
	fmt.Fprintf(w, "\nPermissions the deploying identity needs (your credentials, not the function's):\n")
	for _, p := range deploy.DeployerPermissions {
		fmt.Fprintf(w, "  %-36s on the %-8s to %s\n", p.Action, p.On, p.Why)
	}
	fmt.Fprintf(w, "As a least-privilege policy (ACCOUNT_ID is your account's):\n%s\n", deploy.DeployerPolicy(c, "aws", "ACCOUNT_ID").JSON())
	return nil
}

// deployAWSConfig loads the standard AWS configuration for deploy, dry
// run or not, with one rule for the region: --region when given, else
// the chain's (AWS_REGION, AWS_DEFAULT_REGION, the region of the profile
// in the shared config file). With none, it returns bad input naming
// --region and AWS_REGION rather than guess a region. It makes no
// request: credentials are retrieved only when used.
func deployAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := loadAWSConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("%w: deploy: aws config: %w", trial.ErrBadInput, err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("%w: %w: give --region R, or set AWS_REGION (or a region in your AWS profile)", trial.ErrBadInput, deploy.ErrNoRegion)
	}
	return cfg, nil
}

// writeTemplate writes c's CloudFormation template to file, or to
// standard output when file is empty, and then the exact commands that
// deploy it: on standard output after a file, on standard error after
// the template itself, so that redirecting standard output saves just
// the template.
func writeTemplate(e *env, c deploy.Config, file string) error {
	b, err := deploy.Template(c)
	if errors.Is(err, deploy.ErrInvalidConfig) {
		return fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	}
	if err != nil {
		return fmt.Errorf("deploy: template: %w", err)
	}
	b = append(b, '\n')
	w := e.stdout
	if file == "" {
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
		w, file = e.stderr, c.Function+".template.json"
		fmt.Fprintf(w, "\nSave the template above as %s (or write it with --template-file), then deploy it:\n", file)
	} else {
		if err := os.WriteFile(file, b, 0o644); err != nil {
			return fmt.Errorf("deploy: write template: %w", err)
		}
		fmt.Fprintf(w, "wrote %s; deploy it with:\n", file)
	}
	_, err = fmt.Fprint(w, templateCommands(c, file))
	return err
}

// templateCommands are the shell commands, one a line, that build and
// upload the worker's package and deploy the template in file as a
// stack named after the function. The stack creates an IAM role without
// a fixed name, hence deploy.TemplateCapability.
func templateCommands(c deploy.Config, file string) string {
	bucket, note := c.Bucket, ""
	if bucket == "" {
		bucket, note = "BUCKET", "  # replace BUCKET with your bucket (or give --bucket)\n"
	}
	region := ""
	if c.Region != "" {
		region = " --region " + shellQuote(c.Region)
	}
	arch := ""
	if c.Arch != deploy.DefaultArch {
		arch = " --arch " + shellQuote(c.Arch)
	}
	zipFile := c.Function + ".zip"
	key := "deploy/" + zipFile
	var b strings.Builder
	b.WriteString(note)
	fmt.Fprintf(&b, "  hpsearch deploy --bucket %s --function %s%s%s --dry-run --zip %s\n",
		shellQuote(bucket), shellQuote(c.Function), arch, region, shellQuote(zipFile))
	fmt.Fprintf(&b, "  aws s3 cp %s %s%s\n", shellQuote(zipFile), shellQuote("s3://"+bucket+"/"+key), region)
	fmt.Fprintf(&b, "  aws cloudformation deploy --template-file %s --stack-name %s --capabilities %s%s --parameter-overrides %s %s %s\n",
		shellQuote(file), shellQuote(c.Function), deploy.TemplateCapability, region,
		shellQuote(deploy.ParamBucket+"="+bucket), shellQuote(deploy.ParamCodeBucket+"="+bucket), shellQuote(deploy.ParamCodeKey+"="+key))
	b.WriteString("  # new code needs a new CodeKey: CloudFormation updates the function's code only when it changes\n")
	return b.String()
}
