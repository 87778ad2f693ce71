//go:build !linux

package emulate

import (
	"os/exec"
	"syscall"
)

func setProcAttrs(cmd *exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.Process != nil {
		_ = cmd.Process.Signal(sig)
	}
}

func childPIDs(cmd *exec.Cmd) []int { return nil }

func killPIDs(pids []int) {}
