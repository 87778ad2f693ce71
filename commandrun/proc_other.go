//go:build !unix

package commandrun

import (
	"os"
	"os/exec"
	"syscall"
)

// inOwnGroup does nothing where there are no process groups.
func inOwnGroup(cmd *exec.Cmd) {}

// signalGroup kills the process pid: without process groups, neither a
// graceful stop nor the children can be reached.
func signalGroup(pid int, sig syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	if sig == syscall.SIGKILL || sig == syscall.SIGTERM {
		_ = p.Kill()
	}
	return nil
}
