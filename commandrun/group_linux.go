package commandrun

import (
	"os/exec"
	"syscall"
)

// inOwnGroup makes cmd start a process group of its own, so that
// signalGroup reaches whatever it starts, and asks the kernel to kill the
// command should hpsearch die without stopping it (SIGKILL leaves no
// chance to): the command, that is, not what it started in turn, which
// the next study's stop will not reach either.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
