package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/serverless/deploy"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
)

// imageFlags are deploy's --image flags.
type imageFlags struct {
	image         bool
	dir, out, uri string
}

// check refuses the --image-* flags without --image.
func (f imageFlags) check(fs *pflag.FlagSet) error {
	var bad string
	fs.Visit(func(fl *pflag.Flag) {
		if strings.HasPrefix(fl.Name, "image-") && bad == "" {
			bad = fl.Name
		}
	})
	if bad != "" && !f.image {
		return usageErr("--%s needs --image", bad)
	}
	return nil
}

// deployImage is deploy --image: without an image URI it writes the
// Dockerfile and the worker and prints the commands that build, push and
// deploy the image; with one it deploys the container-image function. A
// dry run prints all of it, writes nothing and calls no AWS API.
func deployImage(ctx context.Context, e *env, c deploy.Config, awsCfg aws.Config, f imageFlags, dryRun bool, worker string) error {
	codeDir, err := filepath.Abs(f.dir)
	if err != nil {
		return fmt.Errorf("deploy: --image-dir: %w", err)
	}
	if st, err := os.Stat(codeDir); err != nil || !st.IsDir() {
		return usageErr("--image-dir %s: not a directory", f.dir)
	}
	dockerfile, err := deploy.Dockerfile(deploy.Image{CodeDir: codeDir})
	if err != nil {
		return fmt.Errorf("%w: --image-dir: %w", trial.ErrBadInput, err)
	}
	if f.uri != "" {
		if err := deploy.CheckImageURI(f.uri, c.Region); err != nil {
			return fmt.Errorf("%w: --image-uri: %w", trial.ErrBadInput, err)
		}
	}
	out := f.out
	if out == "" {
		cache, err := emulate.DefaultCacheDir()
		if err != nil {
			return err
		}
		out = filepath.Join(cache, "image", c.Function)
	}
	if out, err = filepath.Abs(out); err != nil {
		return fmt.Errorf("deploy: --image-out: %w", err)
	}
	if rel, err := filepath.Rel(codeDir, out); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usageErr("--image-out %s is inside --image-dir %s: the image would hold the worker twice; write it elsewhere", out, codeDir)
	}
	commands := deploy.ImageCommands(c, codeDir, out, shellQuote)

	if dryRun {
		return printImagePlan(e, c, codeDir, out, f.uri, dockerfile, commands)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if f.uri == "" {
		bin, why, err := workerBinary(ctx, log, c, worker)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("deploy: --image-out: %w", err)
		}
		if err := os.WriteFile(filepath.Join(out, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			return fmt.Errorf("deploy: write Dockerfile: %w", err)
		}
		// Written whole, then renamed: a half-written bootstrap is never
		// the one docker copies.
		tmp := filepath.Join(out, ".bootstrap.tmp")
		if err := os.WriteFile(tmp, bin, 0o755); err != nil {
			return fmt.Errorf("deploy: write worker: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(out, "bootstrap")); err != nil {
			return fmt.Errorf("deploy: write worker: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s and %s (the worker: %s)\n", filepath.Join(out, "Dockerfile"), filepath.Join(out, "bootstrap"), why)
		fmt.Fprintf(e.stdout, "Add what your command needs to the Dockerfile (its comment shows how), then build, push and deploy the image:\n%s", commands)
		return nil
	}

	if err := lambdaexec.CheckCredentials(ctx, awsCfg.Credentials); err != nil {
		return err
	}
	d := &deploy.Deployer{Lambda: lambda.NewFromConfig(awsCfg), IAM: iam.NewFromConfig(awsCfg), Log: log}
	res, err := d.DeployImage(ctx, c, f.uri)
	var re *smithyhttp.ResponseError
	switch {
	case errors.Is(err, deploy.ErrPackageType):
		return fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden:
		return fmt.Errorf("%w\n(the deploying identity needs the permissions that 'hpsearch deploy --image --dry-run' lists)", err)
	case err != nil:
		return err
	}
	verb := "updated"
	if res.Created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "%s %s\n  role %s\n  image %s (%s)\n", verb, res.FunctionArn, res.RoleArn, f.uri, res.CodeSha256)
	fmt.Fprintf(e.stdout, "\nexport HPSEARCH_FUNCTION=%s HPSEARCH_BUCKET=%s AWS_REGION=%s\n", c.Function, c.Bucket, c.Region)
	return nil
}

// printImagePlan is deploy --image --dry-run's output.
func printImagePlan(e *env, c deploy.Config, codeDir, out, uri, dockerfile, commands string) error {
	w := e.stdout
	fmt.Fprintf(w, "Plan (dry run, no AWS call made, no file written):\n")
	fmt.Fprintf(w, "  function     %s in %s, package type Image, %s\n", c.Function, c.Region, c.Arch)
	fmt.Fprintf(w, "  memory       %d MB, timeout %v, ephemeral storage %d MB\n", c.Memory, c.Timeout, c.Ephemeral)
	fmt.Fprintf(w, "  environment  HPSEARCH_BUCKET=%s (the image sets HPSEARCH_COMMANDS=1)\n", c.Bucket)
	fmt.Fprintf(w, "  code         %s, copied into the image at the same path\n", codeDir)
	if uri != "" {
		fmt.Fprintf(w, "  image        %s\n", uri)
	} else {
		fmt.Fprintf(w, "  image        none yet: writes %s and %s; build and push with the commands below, then deploy with --image-uri\n",
			filepath.Join(out, "Dockerfile"), filepath.Join(out, "bootstrap"))
	}
	fmt.Fprintf(w, "  role         %s (created if missing), inline policy %s\n", c.Role, deploy.PolicyName)
	fmt.Fprintf(w, "\nDockerfile (%s):\n%s", filepath.Join(out, "Dockerfile"), dockerfile)
	fmt.Fprintf(w, "\nCommands:\n%s", commands)
	fmt.Fprintf(w, "\nTrust policy:\n%s\n", deploy.TrustPolicy().JSON())
	fmt.Fprintf(w, "\nExecution policy (ACCOUNT_ID is filled in from the role's ARN):\n%s\n", deploy.ExecutionPolicy(c, "aws", "ACCOUNT_ID").JSON())
	fmt.Fprintf(w, "\nPermissions the deploying identity needs (your credentials, not the function's):\n")
	for _, p := range append(append([]deploy.Permission(nil), deploy.DeployerPermissions...), deploy.ImageDeployerPermissions...) {
		fmt.Fprintf(w, "  %-36s on the %-10s to %s\n", p.Action, p.On, p.Why)
	}
	fmt.Fprintf(w, "As a least-privilege policy (ACCOUNT_ID is your account's; add the ecr actions on the image's repository):\n%s\n", deploy.DeployerPolicy(c, "aws", "ACCOUNT_ID").JSON())
	return nil
}
