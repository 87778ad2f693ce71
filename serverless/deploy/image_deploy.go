package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ErrPackageType marks a function that exists with the other package
// type: Lambda cannot turn a zip function into an image function.
var ErrPackageType = errors.New("deploy: the function's package type cannot change")

// DeployImage makes the function match c, running the container image
// imageURI (built from Dockerfile and pushed to ECR by the user; see
// ImageCommands): it ensures the execution role and its inline policy as
// Deploy does, then creates the function with package type Image, or
// updates the image and configuration of an image function. An existing
// zip function of that name is ErrPackageType, before anything changes
// in it. The identity needs ImageDeployerPermissions besides
// DeployerPermissions. Result.CodeSha256 is the image's digest as Lambda
// reports it.
func (d *Deployer) DeployImage(ctx context.Context, c Config, imageURI string) (Result, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	if err := CheckImageURI(imageURI, c.Region); err != nil {
		return Result{}, err
	}
	fn, err := d.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(c.Function)})
	var nf *types.ResourceNotFoundException
	exists := !errors.As(err, &nf)
	if exists && err != nil {
		return Result{}, fmt.Errorf("deploy: get function %s: %w", c.Function, err)
	}
	if exists && fn.Configuration.PackageType != types.PackageTypeImage {
		return Result{}, fmt.Errorf("%w: %s is a %s function: deploy the image under another --function, or delete it first (aws lambda delete-function --function-name %s)",
			ErrPackageType, c.Function, fn.Configuration.PackageType, c.Function)
	}
	roleArn, err := d.ensureRole(ctx, c)
	if err != nil {
		return Result{}, err
	}
	res := Result{RoleArn: roleArn, CodeUpdated: true}
	if !exists {
		res.Created = true
		res.FunctionArn, res.CodeSha256, err = d.createImage(ctx, c, roleArn, imageURI)
		return res, err
	}
	res.FunctionArn = aws.ToString(fn.Configuration.FunctionArn)
	res.CodeSha256, err = d.updateImage(ctx, c, roleArn, imageURI)
	return res, err
}

// createImage creates an image function, retrying while a new role has
// not yet propagated.
func (d *Deployer) createImage(ctx context.Context, c Config, roleArn, imageURI string) (arn, sha string, err error) {
	in := &lambda.CreateFunctionInput{
		FunctionName:     aws.String(c.Function),
		PackageType:      types.PackageTypeImage,
		Role:             aws.String(roleArn),
		Code:             &types.FunctionCode{ImageUri: aws.String(imageURI)},
		Architectures:    []types.Architecture{types.Architecture(c.Arch)},
		MemorySize:       aws.Int32(int32(c.Memory)),
		Timeout:          aws.Int32(int32(c.Timeout / time.Second)),
		EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(int32(c.Ephemeral))},
		Environment:      d.environment(c),
		Description:      aws.String("hpsearch worker image: runs one trial per invocation, commands included"),
	}
	d.log().Info("creating image function", "function", c.Function, "arch", c.Arch, "image", imageURI)
	var out *lambda.CreateFunctionOutput
	if err := d.retryRole(ctx, "create function "+c.Function, func() (err error) {
		out, err = d.Lambda.CreateFunction(ctx, in)
		return err
	}); err != nil {
		return "", "", err
	}
	return aws.ToString(out.FunctionArn), aws.ToString(out.CodeSha256), d.waitReady(ctx, c.Function)
}

// updateImage points an image function at imageURI (Lambda resolves a
// tag to its digest now, so a pushed tag is picked up) and sets its
// configuration.
func (d *Deployer) updateImage(ctx context.Context, c Config, roleArn, imageURI string) (string, error) {
	d.log().Info("updating function image", "function", c.Function, "arch", c.Arch, "image", imageURI)
	out, err := d.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName:  aws.String(c.Function),
		ImageUri:      aws.String(imageURI),
		Architectures: []types.Architecture{types.Architecture(c.Arch)},
	})
	if err != nil {
		return "", fmt.Errorf("deploy: update image of %s: %w", c.Function, err)
	}
	if err := d.waitReady(ctx, c.Function); err != nil {
		return "", err
	}
	d.log().Info("updating function configuration", "function", c.Function)
	in := &lambda.UpdateFunctionConfigurationInput{
		FunctionName:     aws.String(c.Function),
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
		return "", err
	}
	return aws.ToString(out.CodeSha256), d.waitReady(ctx, c.Function)
}
