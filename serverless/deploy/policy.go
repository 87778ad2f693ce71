package deploy

import (
	"encoding/json"
)

// PolicyName is the name of the execution role's inline policy.
const PolicyName = "hpsearch-worker"

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a PolicyDocument.
type Statement struct {
	Sid       string            `json:"Sid,omitempty"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	Resource  []string          `json:"Resource,omitempty"`
	// Condition maps an operator to keys and values, as
	// {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}.
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// TrustPolicy lets Lambda, and only Lambda, assume the execution role.
func TrustPolicy() PolicyDocument {
	return PolicyDocument{
		Version: "2012-10-17",
		Statement: []Statement{{
			Effect:    "Allow",
			Principal: map[string]string{"Service": "lambda.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
		}},
	}
}

// ExecutionPolicy is the least privilege a trial needs: create the
// function's own log group and write to its streams, read objects under
// datasets/, write objects under results/ and read the prune markers of
// in-trial pruning (results/<study>/prune/, see docs/lambda-pruning.md)
// in c.Bucket. account is the
// AWS account ID; partition is "aws" outside China and GovCloud.
func ExecutionPolicy(c Config, partition, account string) PolicyDocument {
	c = c.WithDefaults()
	group := "arn:" + partition + ":logs:" + c.Region + ":" + account + ":log-group:" + c.LogGroup()
	bucket := "arn:" + partition + ":s3:::" + c.Bucket
	return PolicyDocument{
		Version: "2012-10-17",
		Statement: []Statement{
			{Sid: "CreateLogGroup", Effect: "Allow", Action: []string{"logs:CreateLogGroup"}, Resource: []string{group + ":*"}},
			{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{group + ":log-stream:*"}},
			{Sid: "ReadDatasets", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{bucket + "/datasets/*"}},
			{Sid: "WriteResults", Effect: "Allow", Action: []string{"s3:PutObject"}, Resource: []string{bucket + "/results/*"}},
			{Sid: "ReadPruneMarkers", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{bucket + "/results/*/prune/*"}},
		},
	}
}

// JSON renders d indented, as IAM and people read it.
func (d PolicyDocument) JSON() string {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // only strings, slices and maps
	}
	return string(b)
}
