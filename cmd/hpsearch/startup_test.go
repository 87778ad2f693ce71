package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// initLine is one package's line of GODEBUG=inittrace=1.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs`)

// TestStartupDoesNoWorkInOurPackages guards hpsearch's start-up time
// structurally, not by the clock: Go runs every linked package's
// initialisation before any command, so a package of this module must not
// compile patterns, parse templates or build tables there; it does that
// on first use (sync.OnceValue). Each package's init may allocate a few
// registrations' worth (the budget is below one regexp with a counted
// repeat, such as deploy's {1,64}, which took 1,785 allocations, or the
// report's template, 1,929). The heavy third-party inits (the AWS SDK's
// schemas, gonum/plot's fonts) are measured in benchmarks/startup.
func TestStartupDoesNoWorkInOurPackages(t *testing.T) {
	bin := buildCLI(t)
	const maxAllocs, maxBytes = 100, 16 << 10
	for _, args := range [][]string{{"models"}, {"--version"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("hpsearch %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		seen := 0
		for _, line := range strings.Split(stderr.String(), "\n") {
			m := initLine.FindStringSubmatch(line)
			if m == nil || !(strings.HasPrefix(m[1], "github.com/hpsearch/hpsearch/") || m[1] == "main") {
				continue
			}
			seen++
			size, _ := strconv.Atoi(m[2])
			allocs, _ := strconv.Atoi(m[3])
			if allocs > maxAllocs || size > maxBytes {
				t.Errorf("hpsearch %s: package %s allocates %d bytes in %d allocations at start-up, want at most %d and %d: do that work on first use",
					strings.Join(args, " "), m[1], size, allocs, maxBytes, maxAllocs)
			}
		}
		if seen < 10 {
			t.Fatalf("hpsearch %s: inittrace showed %d of this module's packages, want them all:\n%s", strings.Join(args, " "), seen, stderr.Bytes())
		}
	}
}

// TestCommandsWithoutAWSDoNotLoadItsConfig: a command that does not talk
// to AWS does not load the AWS configuration (files, credentials chain)
// on its way. The probe is an AWS_CONFIG_FILE that cannot be read: deploy,
// which loads it, fails naming it; models, datasets and --version do not
// notice it.
func TestCommandsWithoutAWSDoNotLoadItsConfig(t *testing.T) {
	bin := buildCLI(t)
	probe := t.TempDir() // a directory: reading it as the config file fails
	env := append(os.Environ(), "AWS_CONFIG_FILE="+probe, "AWS_EC2_METADATA_DISABLED=true")
	control := exec.Command(bin, "deploy", "--dry-run", "--region", "eu-west-1", "--bucket", "hp-data")
	control.Env = env
	if out, err := control.CombinedOutput(); err == nil || !strings.Contains(string(out), probe) {
		t.Fatalf("the probe does not work: deploy, which loads the AWS config, gave %v:\n%s", err, out)
	}
	for _, args := range [][]string{{"models"}, {"datasets"}, {"--version"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("hpsearch %s loaded the AWS config: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
