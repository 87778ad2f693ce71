package deploy

import "sort"

// Permission is one IAM action that the identity running Deploy needs.
type Permission struct {
	// Action is the IAM action, such as "lambda:CreateFunction".
	Action string
	// On is what the action is allowed on: OnRole (the execution role)
	// or OnFunction (the function).
	On string
	// Why says which step of Deploy uses it.
	Why string
}

// The resources a Permission is scoped to.
const (
	OnRole     = "role"
	OnFunction = "function"
)

// DeployerPermissions is every IAM action Deploy may use, the single list
// behind DeployerPolicy and the dry run's output. Every API call the
// Deployer makes is here (a test records them through the SDK), and
// iam:PassRole, which is no call of its own: Lambda checks it when
// CreateFunction or UpdateFunctionConfiguration names the role.
var DeployerPermissions = []Permission{
	{"iam:GetRole", OnRole, "find the execution role"},
	{"iam:CreateRole", OnRole, "create the execution role when it is missing"},
	{"iam:PutRolePolicy", OnRole, "set the role's inline policy"},
	{"iam:PassRole", OnRole, "give the role to the function"},
	{"lambda:GetFunction", OnFunction, "find the function"},
	{"lambda:CreateFunction", OnFunction, "create the function when it is missing"},
	{"lambda:UpdateFunctionCode", OnFunction, "upload changed code"},
	{"lambda:UpdateFunctionConfiguration", OnFunction, "set memory, timeout, storage, role and environment"},
	{"lambda:GetFunctionConfiguration", OnFunction, "wait until the function is ready"},
}

// DeployerActions returns the actions of DeployerPermissions allowed on
// resource on (OnRole or OnFunction), sorted.
func DeployerActions(on string) []string {
	var out []string
	for _, p := range DeployerPermissions {
		if p.On == on {
			out = append(out, p.Action)
		}
	}
	sort.Strings(out)
	return out
}

// DeployerPolicy is the least privilege for the identity that runs
// Deploy with c: DeployerPermissions on c's execution role and function
// only, with iam:PassRole limited to passing the role to Lambda. account
// is the AWS account ID; partition is "aws" outside China and GovCloud.
func DeployerPolicy(c Config, partition, account string) PolicyDocument {
	c = c.WithDefaults()
	role := "arn:" + partition + ":iam::" + account + ":role/" + c.Role
	function := "arn:" + partition + ":lambda:" + c.Region + ":" + account + ":function:" + c.Function
	var manageRole []string
	for _, a := range DeployerActions(OnRole) {
		if a != "iam:PassRole" {
			manageRole = append(manageRole, a)
		}
	}
	return PolicyDocument{
		Version: "2012-10-17",
		Statement: []Statement{
			{Sid: "ManageExecutionRole", Effect: "Allow", Action: manageRole, Resource: []string{role}},
			{Sid: "PassExecutionRoleToLambda", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{role},
				Condition: map[string]map[string]string{"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
			{Sid: "ManageFunction", Effect: "Allow", Action: DeployerActions(OnFunction), Resource: []string{function}},
		},
	}
}
