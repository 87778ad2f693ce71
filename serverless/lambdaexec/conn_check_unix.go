//go:build linux || darwin

package lambdaexec

import "syscall"

// connCheckSupported: connAlive can tell a closed connection here.
const connCheckSupported = true

// connAlive reports whether an idle connection may carry a request: the
// server has neither closed it nor sent anything on it since its last
// answer. It peeks at the socket without blocking (as
// go-sql-driver/mysql's connCheck does): nothing to read (EAGAIN) means
// alive; an end of stream, a byte nobody asked for, or an error means
// the connection is done.
func connAlive(raw syscall.RawConn) bool {
	var buf [1]byte
	var rerr error
	err := raw.Read(func(fd uintptr) bool {
		_, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	})
	// A read of 0 bytes (the end) or 1 byte has rerr nil: not alive.
	return err == nil && (rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK)
}
