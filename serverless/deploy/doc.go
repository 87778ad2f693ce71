// Package deploy puts the hpsearch worker on AWS Lambda: it packages the
// bootstrap binary as a zip, creates or updates the function on the
// provided.al2023 runtime, and gives it an execution role that may do
// exactly what a trial needs — write its own logs, read datasets/ and
// write results/ in one bucket — and nothing else.
//
// [Config] describes the function; [Package] builds the zip; [Deployer]
// applies a Config with the Lambda and IAM APIs, which needs
// [DeployerPermissions] (as a policy, [DeployerPolicy]); [Template]
// renders the same resources as a CloudFormation template, with the
// bucket as a parameter, for those who deploy with infrastructure as
// code. For command studies, whose programs the function runs,
// [Dockerfile] writes a container image of the worker and the user's
// directory, and [Deployer.DeployImage] deploys the image once pushed.
package deploy
