package deploy

import (
	"encoding/json"
	"strings"
	"time"
)

// Template renders c as a CloudFormation template (JSON) with the same
// execution role, inline policy and function that Deploy creates. The
// zip, which CloudFormation cannot take inline for a binary runtime, is
// read from S3: upload the package and pass its location as the
// CodeBucket and CodeKey parameters. Region, account and partition come
// from the stack.
func Template(c Config) ([]byte, error) {
	c = c.WithDefaults()
	sub := c
	sub.Region = "${AWS::Region}"
	policy := subst(ExecutionPolicy(sub, "${AWS::Partition}", "${AWS::AccountId}"))
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "hpsearch worker " + c.Function + ": one trial per invocation",
		"Parameters": map[string]any{
			"CodeBucket": map[string]string{"Type": "String", "Description": "bucket holding the worker's zip (hpsearch deploy --dry-run --zip FILE writes it)"},
			"CodeKey":    map[string]string{"Type": "String", "Description": "key of the worker's zip"},
		},
		"Resources": map[string]any{
			"ExecutionRole": map[string]any{
				"Type": "AWS::IAM::Role",
				"Properties": map[string]any{
					"RoleName":                 c.Role,
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
					"Environment":      map[string]any{"Variables": map[string]string{"HPSEARCH_BUCKET": c.Bucket}},
					"Role":             map[string]any{"Fn::GetAtt": []string{"ExecutionRole", "Arn"}},
					"Code": map[string]any{
						"S3Bucket": map[string]string{"Ref": "CodeBucket"},
						"S3Key":    map[string]string{"Ref": "CodeKey"},
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
// a pseudo parameter wrapped in Fn::Sub.
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
			if strings.Contains(v, "${AWS::") {
				return map[string]string{"Fn::Sub": v}
			}
		}
		return v
	}
	return walk(v)
}
