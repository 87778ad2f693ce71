package deploy

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// TestDeployerPermissionsCoverEveryCall deploys through every path (create
// while the role propagates, update with new code, update with the same
// code, an existing role) and checks that each API call the SDK clients
// made is in DeployerPermissions, and that the list holds nothing Deploy
// does not use.
func TestDeployerPermissionsCoverEveryCall(t *testing.T) {
	f := newFake()
	f.unassumable = 1
	d := newDeployer(t, f)
	for _, binary := range []string{"v1", "v2", "v2"} {
		pkg, err := Package([]byte(binary))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Deploy(context.Background(), testConfig, pkg); err != nil {
			t.Fatalf("Deploy %s: %v", binary, err)
		}
	}
	listed := map[string]bool{}
	for _, p := range DeployerPermissions {
		if p.On != OnRole && p.On != OnFunction || p.Why == "" {
			t.Errorf("permission %+v: want On role or function and a reason", p)
		}
		listed[p.Action] = true
	}
	var called []string
	for a := range f.actions {
		called = append(called, a)
		if !listed[a] {
			t.Errorf("Deploy calls %s, which DeployerPermissions does not list", a)
		}
	}
	sort.Strings(called)
	if len(called) < 8 {
		t.Fatalf("recorded calls %v: the recorder missed some", called)
	}
	for a := range listed {
		// iam:PassRole is no call: Lambda checks it when a call names the role.
		if a != "iam:PassRole" && !f.actions[a] {
			t.Errorf("DeployerPermissions lists %s, which Deploy never called (calls: %v)", a, called)
		}
	}
}

func TestDeployerPolicy(t *testing.T) {
	got := DeployerPolicy(testConfig, "aws", fakeAccount).JSON()
	assertJSONEqual(t, "deployer policy", got, `{"Version":"2012-10-17","Statement":[
		{"Sid":"ManageExecutionRole","Effect":"Allow","Action":["iam:CreateRole","iam:GetRole","iam:PutRolePolicy"],"Resource":["arn:aws:iam::123456789012:role/hp-test-exec"]},
		{"Sid":"PassExecutionRoleToLambda","Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::123456789012:role/hp-test-exec"],
		 "Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}},
		{"Sid":"ManageFunction","Effect":"Allow","Action":["lambda:CreateFunction","lambda:GetFunction","lambda:GetFunctionConfiguration","lambda:UpdateFunctionCode","lambda:UpdateFunctionConfiguration"],
		 "Resource":["arn:aws:lambda:eu-west-1:123456789012:function:hp-test"]}]}`)
	var n int
	for _, s := range DeployerPolicy(testConfig, "aws", fakeAccount).Statement {
		for _, a := range s.Action {
			n++
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s", a)
			}
		}
	}
	if n != len(DeployerPermissions) {
		t.Errorf("policy has %d actions, DeployerPermissions %d", n, len(DeployerPermissions))
	}
}
