package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Deployer creates or updates the function and its execution role. The
// identity whose credentials its clients use needs DeployerPermissions
// (DeployerPolicy is that as a least-privilege policy document).
type Deployer struct {
	Lambda *lambda.Client
	IAM    *iam.Client
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Poll is the interval between checks while waiting for a new role
	// to become assumable or a function update to finish. Zero means 2s.
	Poll time.Duration
	// Wait bounds each such wait. Zero means 90s: IAM roles usually
	// propagate in about ten seconds.
	Wait time.Duration
}

// Result is what Deploy did.
type Result struct {
	FunctionArn string
	RoleArn     string
	// Created is true for a new function, false for an update.
	Created bool
	// CodeUpdated is false when the deployed code was already this
	// package.
	CodeUpdated bool
	CodeSha256  string
	CodeSize    int
}

// Deploy makes the function match c, running the bootstrap zipped in pkg
// (see Package): it ensures the execution role and its inline policy,
// then creates the function, or updates its code (unless unchanged) and
// configuration.
func (d *Deployer) Deploy(ctx context.Context, c Config, pkg []byte) (Result, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	if err := CheckPackageSize(pkg); err != nil {
		return Result{}, err
	}
	res := Result{CodeSha256: CodeSha256(pkg), CodeSize: len(pkg)}
	roleArn, err := d.ensureRole(ctx, c)
	if err != nil {
		return res, err
	}
	res.RoleArn = roleArn

	fn, err := d.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(c.Function)})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		res.FunctionArn, err = d.create(ctx, c, roleArn, pkg)
		res.Created, res.CodeUpdated = true, true
	case err != nil:
		err = fmt.Errorf("deploy: get function %s: %w", c.Function, err)
	default:
		res.FunctionArn = aws.ToString(fn.Configuration.FunctionArn)
		res.CodeUpdated, err = d.update(ctx, c, roleArn, pkg, fn.Configuration)
	}
	return res, err
}

func (d *Deployer) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// ensureRole returns the execution role's ARN, creating the role if it is
// missing, and puts the inline policy. A new role may take seconds before
// Lambda can assume it; see retryRole.
func (d *Deployer) ensureRole(ctx context.Context, c Config) (string, error) {
	var roleArn string
	got, err := d.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(c.Role)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &nse):
		d.log().Info("creating execution role", "role", c.Role)
		out, err := d.IAM.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(c.Role),
			AssumeRolePolicyDocument: aws.String(TrustPolicy().JSON()),
			Description:              aws.String("hpsearch worker " + c.Function + ": logs, read datasets/, write results/ in " + c.Bucket),
		})
		if err != nil {
			return "", fmt.Errorf("deploy: create role %s: %w", c.Role, err)
		}
		roleArn = aws.ToString(out.Role.Arn)
	case err != nil:
		return "", fmt.Errorf("deploy: get role %s: %w", c.Role, err)
	default:
		roleArn = aws.ToString(got.Role.Arn)
	}
	a, err := arn.Parse(roleArn)
	if err != nil {
		return "", fmt.Errorf("deploy: role %s: ARN %q: %w", c.Role, roleArn, err)
	}
	policy := ExecutionPolicy(c, a.Partition, a.AccountID).JSON()
	if _, err := d.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(c.Role), PolicyName: aws.String(PolicyName), PolicyDocument: aws.String(policy),
	}); err != nil {
		return "", fmt.Errorf("deploy: put policy on role %s: %w", c.Role, err)
	}
	return roleArn, nil
}

func (d *Deployer) environment(c Config) *types.Environment {
	return &types.Environment{Variables: map[string]string{"HPSEARCH_BUCKET": c.Bucket}}
}

// create creates the function, retrying while a new role has not yet
// propagated to Lambda.
func (d *Deployer) create(ctx context.Context, c Config, roleArn string, pkg []byte) (string, error) {
	in := &lambda.CreateFunctionInput{
		FunctionName:     aws.String(c.Function),
		Runtime:          types.Runtime(Runtime),
		Handler:          aws.String(Handler),
		Role:             aws.String(roleArn),
		Code:             &types.FunctionCode{ZipFile: pkg},
		Architectures:    []types.Architecture{types.Architecture(c.Arch)},
		MemorySize:       aws.Int32(int32(c.Memory)),
		Timeout:          aws.Int32(int32(c.Timeout / time.Second)),
		EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(int32(c.Ephemeral))},
		Environment:      d.environment(c),
		Description:      aws.String("hpsearch worker: runs one trial per invocation"),
	}
	d.log().Info("creating function", "function", c.Function, "arch", c.Arch, "bytes", len(pkg))
	var out *lambda.CreateFunctionOutput
	err := d.retryRole(ctx, "create function "+c.Function, func() (err error) {
		out, err = d.Lambda.CreateFunction(ctx, in)
		return err
	})
	if err != nil {
		return "", err
	}
	arn := aws.ToString(out.FunctionArn)
	return arn, d.waitReady(ctx, c.Function)
}

// update uploads the code unless Lambda already has this package for
// this architecture, then sets the configuration.
func (d *Deployer) update(ctx context.Context, c Config, roleArn string, pkg []byte, cur *types.FunctionConfiguration) (codeUpdated bool, err error) {
	sameArch := len(cur.Architectures) == 1 && string(cur.Architectures[0]) == c.Arch
	if !sameArch || aws.ToString(cur.CodeSha256) != CodeSha256(pkg) {
		d.log().Info("updating function code", "function", c.Function, "arch", c.Arch, "bytes", len(pkg))
		if _, err := d.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName:  aws.String(c.Function),
			ZipFile:       pkg,
			Architectures: []types.Architecture{types.Architecture(c.Arch)},
		}); err != nil {
			return false, fmt.Errorf("deploy: update code of %s: %w", c.Function, err)
		}
		codeUpdated = true
		if err := d.waitReady(ctx, c.Function); err != nil {
			return true, err
		}
	}
	d.log().Info("updating function configuration", "function", c.Function)
	in := &lambda.UpdateFunctionConfigurationInput{
		FunctionName:     aws.String(c.Function),
		Runtime:          types.Runtime(Runtime),
		Handler:          aws.String(Handler),
		Role:             aws.String(roleArn),
		MemorySize:       aws.Int32(int32(c.Memory)),
		Timeout:          aws.Int32(int32(c.Timeout / time.Second)),
		EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(int32(c.Ephemeral))},
		Environment:      d.environment(c),
	}
	if err := d.retryRole(ctx, "update configuration of "+c.Function, func() error {
		_, err := d.Lambda.UpdateFunctionConfiguration(ctx, in)
		return err
	}); err != nil {
		return codeUpdated, err
	}
	return codeUpdated, d.waitReady(ctx, c.Function)
}

// retryRole runs call, retrying for up to d.Wait while Lambda answers
// that the role cannot be assumed: a role that was just created or
// changed takes a few seconds to propagate.
func (d *Deployer) retryRole(ctx context.Context, op string, call func() error) error {
	deadline := time.Now().Add(d.wait())
	for attempt := 1; ; attempt++ {
		err := call()
		var ipv *types.InvalidParameterValueException
		if err == nil || !errors.As(err, &ipv) || !strings.Contains(strings.ToLower(aws.ToString(ipv.Message)), "cannot be assumed") {
			if err != nil {
				return fmt.Errorf("deploy: %s: %w", op, err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deploy: %s: role still not assumable after %d attempts: %w", op, attempt, err)
		}
		d.log().Info("waiting for the execution role to propagate", "attempt", attempt)
		if err := sleep(ctx, d.poll()); err != nil {
			return fmt.Errorf("deploy: %s: %w", op, err)
		}
	}
}

// waitReady waits until the function is Active and its last update is
// done, as Lambda refuses further updates and invocations before that.
func (d *Deployer) waitReady(ctx context.Context, function string) error {
	deadline := time.Now().Add(d.wait())
	for {
		out, err := d.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
		if err != nil {
			return fmt.Errorf("deploy: wait for %s: %w", function, err)
		}
		switch {
		case out.State == types.StateFailed:
			return fmt.Errorf("deploy: function %s failed: %s", function, aws.ToString(out.StateReason))
		case out.LastUpdateStatus == types.LastUpdateStatusFailed:
			return fmt.Errorf("deploy: update of %s failed: %s", function, aws.ToString(out.LastUpdateStatusReason))
		case out.State != types.StatePending && out.LastUpdateStatus != types.LastUpdateStatusInProgress:
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deploy: function %s still %s/%s after %v", function, out.State, out.LastUpdateStatus, d.wait())
		}
		if err := sleep(ctx, d.poll()); err != nil {
			return fmt.Errorf("deploy: wait for %s: %w", function, err)
		}
	}
}

func (d *Deployer) poll() time.Duration {
	if d.Poll > 0 {
		return d.Poll
	}
	return 2 * time.Second
}

func (d *Deployer) wait() time.Duration {
	if d.Wait > 0 {
		return d.Wait
	}
	return 90 * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
