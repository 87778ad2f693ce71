package emulate

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts the child in its own process group, so that stopping
// it also stops what it started (the RIE's runtime process), and asks the
// kernel to kill it if this process dies without cleaning up.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the child's process group.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, sig)
	}
}

// childPIDs lists the processes cmd's process started. The emulator puts
// the runtime in a process group of its own, so signalGroup does not
// reach it.
func childPIDs(cmd *exec.Cmd) []int {
	if cmd.Process == nil {
		return nil
	}
	return children(cmd.Process.Pid)
}

// killPIDs sends SIGKILL to each of pids.
func killPIDs(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
