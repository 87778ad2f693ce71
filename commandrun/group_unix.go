//go:build unix && !linux

package commandrun

import (
	"os/exec"
	"syscall"
)

// inOwnGroup makes cmd start a process group of its own, so that
// signalGroup reaches whatever it starts.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
