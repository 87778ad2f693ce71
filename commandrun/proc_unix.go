//go:build unix

package commandrun

import (
	"errors"
	"syscall"
)

// signalGroup sends sig to the process group led by pid. A group that
// no longer exists is not an error.
func signalGroup(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(-pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
