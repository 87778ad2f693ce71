//go:build !linux && !darwin

package lambdaexec

import "syscall"

// connCheckSupported: there is no check of an idle connection here, so
// the direct Invoke keeps net/http's connections.
const connCheckSupported = false

func connAlive(syscall.RawConn) bool { return false }
