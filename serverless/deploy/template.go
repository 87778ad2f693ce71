package deploy

import (
	"encoding/json"
	"strings"
	"time"
)

// TemplateCapability is the capability that deploying Template's stack
// needs: it creates an IAM role, and since the role has no fixed name
// (CloudFormation generates one), CAPABILITY_NAMED_IAM is not needed.
const TemplateCapability = "CAPABILITY_IAM"

// Template parameters.
const (
	// ParamBucket names the bucket the function reads datasets/ from
	// and writes results/ to.
	ParamBucket = "Bucket"
	// ParamCodeBucket and ParamCodeKey locate the worker's zip in S3.
	ParamCodeBucket = "CodeBucket"
	ParamCodeKey    = "CodeKey"
)

// bucketPattern is S3's bucket naming rule as far as a CloudFormation
// AllowedPattern can say it (s3data.CheckBucketName checks the rest).
const bucketPattern = `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`

// Template renders c as a CloudFormation template (JSON) with the same
// execution role, inline policy and function that Deploy creates. The
// datasets bucket is the Bucket parameter, whose default is c.Bucket
// when that is set (no default otherwise). The role has no RoleName, so
// the stack deploys with TemplateCapability. The zip, which
// CloudFormation cannot take inline for a binary runtime, is read from
// S3: upload the package and pass its location as the CodeBucket and
// CodeKey parameters. Region, account and partition come from the
// stack, so c.Region is not used.
func Template(c Config) ([]byte, error) {
	c = c.WithDefaults()
	v := c
	if v.Region == "" {
		v.Region = "us-east-1" // any region: checks the other fields
	}
	if v.Bucket == "" {
		v.Bucket = "any-bucket"
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	sub := c
	sub.Region = "${AWS::Region}"
	sub.Bucket = "${" + ParamBucket + "}"
	policy := subst(ExecutionPolicy(sub, "${AWS::Partition}", "${AWS::AccountId}"))
	bucket := map[string]any{
		"Type":                  "String",
		"Description":           "bucket the worker reads datasets/ from and writes results/ to",
		"AllowedPattern":        bucketPattern,
		"ConstraintDescription": "an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens",
	}
	if c.Bucket != "" {
		bucket["Default"] = c.Bucket
	}
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "hpsearch worker " + c.Function + ": one trial per invocation",
		"Parameters": map[string]any{
			ParamBucket:     bucket,
			ParamCodeBucket: map[string]string{"Type": "String", "Description": "bucket holding the worker's zip (hpsearch deploy --dry-run --zip FILE writes it)"},
			ParamCodeKey:    map[string]string{"Type": "String", "Description": "key of the worker's zip; CloudFormation updates the code only when the key changes"},
		},
		"Resources": map[string]any{
			"ExecutionRole": map[string]any{
				"Type": "AWS::IAM::Role",
				"Properties": map[string]any{
					"Description":              "hpsearch worker " + c.Function + ": logs, read datasets/, write results/",
					"AssumeRolePolicyDocument": TrustPolicy(),
					"Policies":                 []any{map[string]any{"PolicyName": PolicyName, "PolicyDocument": policy}},
				},
			},
			"Function": map[string]any{
				"Type": "AWS::Lambda::Function",
				"Properties": map[string]any{
					"FunctionName":     c.Function,
					"Runtime":          Runtime,
					"Handler":          Handler,
					"Architectures":    []string{c.Arch},
					"MemorySize":       c.Memory,
					"Timeout":          int(c.Timeout / time.Second),
					"EphemeralStorage": map[string]int{"Size": c.Ephemeral},
					"Environment":      map[string]any{"Variables": map[string]any{"HPSEARCH_BUCKET": map[string]string{"Ref": ParamBucket}}},
					"Role":             map[string]any{"Fn::GetAtt": []string{"ExecutionRole", "Arn"}},
					"Code": map[string]any{
						"S3Bucket": map[string]string{"Ref": ParamCodeBucket},
						"S3Key":    map[string]string{"Ref": ParamCodeKey},
					},
				},
			},
		},
		"Outputs": map[string]any{
			"FunctionArn": map[string]any{"Value": map[string]any{"Fn::GetAtt": []string{"Function", "Arn"}}},
			"RoleArn":     map[string]any{"Value": map[string]any{"Fn::GetAtt": []string{"ExecutionRole", "Arn"}}},
		},
	}
	return json.MarshalIndent(t, "", "  ")
}

// subst turns d into plain JSON values with every string that refers to
// a parameter or pseudo parameter (${...}) wrapped in Fn::Sub.
func subst(d PolicyDocument) any {
	b, _ := json.Marshal(d)
	var v any
	_ = json.Unmarshal(b, &v)
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		case string:
			if strings.Contains(v, "${") {
				return map[string]string{"Fn::Sub": v}
			}
		}
		return v
	}
	return walk(v)
}
