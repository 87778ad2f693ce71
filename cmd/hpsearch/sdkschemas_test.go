package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoSchemasOfPinnedAWSServices guards the pins of go.mod's AWS service
// modules (see the comment above its require block): a service module's
// schemas package, which the SDK links since it moved that service to
// schema-based (de)serialisation, builds its tables in package init and
// costs every command several milliseconds of start-up (2.4 to 2.9 ms
// each for lambda's and iam's, most of 3 MB of heap, and a garbage
// collection before main). It may be linked only for the services go.mod
// does not require itself (sts, sso, ssooidc, signin: the versions
// config requires already have them, so no pin of ours can avoid them).
func TestNoSchemasOfPinnedAWSServices(t *testing.T) {
	if testing.Short() {
		t.Skip("lists the CLI's dependencies")
	}
	out, err := exec.Command("go", "list", "-deps",
		"-f", "{{.ImportPath}} {{with .Module}}{{.Path}} {{.Version}} {{.Indirect}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const prefix = "github.com/aws/aws-sdk-go-v2/service/"
	linked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || !strings.HasPrefix(f[0], prefix) || !strings.HasSuffix(f[0], "/schemas") {
			continue
		}
		linked++
		pkg, module, version, indirect := f[0], f[1], f[2], f[3] == "true"
		if indirect {
			t.Logf("%s is linked: %s %s comes with another module's requirement, not a pin of go.mod", pkg, module, version)
			continue
		}
		t.Errorf("%s is linked again: go.mod requires %s %s, whose schemas package adds milliseconds to every command's start-up; "+
			"require the newest version without it (go list -m -versions %s, then look for schemas/ in go mod download's Dir) "+
			"unless the project needs that version, and then say so in go.mod and here",
			pkg, module, version, module)
	}
	if linked == 0 {
		t.Logf("no AWS service schemas package is linked")
	}
}
