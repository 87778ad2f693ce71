package emulate

import (
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"syscall"
	"time"
)

// process is a child process this package started and must stop.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // Wait's result, set before done is closed
}

// startProcess starts bin with args, env and working dir, sending its
// stdout and stderr to out. It returns once the process has started.
func startProcess(name, bin string, args, env []string, dir string, out io.Writer) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	setProcAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulate: start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits for the process to exit. A zero grace kills at once. The
// processes it started (an emulator's runtime, in a group of its own) are
// killed with it: they would otherwise run on, holding its output open,
// so that stop waited for them to end by themselves.
func (p *process) stop(grace time.Duration) {
	if p == nil || p.exited() {
		return
	}
	kids := childPIDs(p.cmd) // before they outlive it and lose it as parent
	if grace > 0 {
		signalGroup(p.cmd, syscall.SIGTERM)
		select {
		case <-p.done:
			signalGroup(p.cmd, syscall.SIGKILL) // stragglers in the group
			killPIDs(kids)
			return
		case <-time.After(grace):
		}
	}
	killPIDs(kids)
	signalGroup(p.cmd, syscall.SIGKILL)
	<-p.done
}

// waitListening polls addr until it accepts a TCP connection, the process
// exits, or the timeout passes.
func waitListening(ctx context.Context, p *process, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("emulate: %s exited before listening on %s: %v", p.name, addr, p.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emulate: %s not listening on %s after %v", p.name, addr, timeout)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("emulate: waiting for %s: %w", p.name, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago. Another process may take it before the caller binds it; callers
// retry a start that fails.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("emulate: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
