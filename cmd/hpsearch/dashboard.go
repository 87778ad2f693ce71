package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

func init() { register(newDashboardCmd) }

// newDashboardCmd builds "hpsearch dashboard".
func newDashboardCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboard STUDY_DIR|s3://BUCKET/PREFIX ... [flags]",
		Short: "serve a live web view of studies, local or in S3",
		Long: `Serves a read-only web dashboard of the studies given: a list of them,
one page per study whose charts follow the journal as results land (best
value over trials and time, parallel coordinates, slices, a contour,
intermediate values and rungs, per-family box plots, parameter importance,
a timeline per worker, cost over time), a trial table to sort and filter,
and a page per trial. When it is ready it prints its URL on stdout.

It binds 127.0.0.1 by default; port 0 picks a free port. A non-loopback
--addr is refused (exit 2) unless --token is given; every request must then
carry the token (the printed URL does). Stop it with Ctrl-C (exit 130).`,
		Example: `  hpsearch dashboard hpsearch-runs/digits-knn-grid
  hpsearch dashboard hpsearch-runs/* s3://my-bucket/studies/digits --addr 127.0.0.1:0`,
	}
	fs := cmd.Flags()
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: a free port)")
	token := fs.String("token", "", "require `TOKEN` on every request (needed for a non-loopback --addr)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		if len(pos) == 0 {
			return usageErr("want at least one STUDY_DIR or s3:// URL")
		}
		if err := dashboard.CheckAddr(*addr, *token); err != nil {
			if errors.Is(err, dashboard.ErrNotLoopback) {
				return usageErr("--addr %s is not loopback: give --token too (then every request must carry it)", *addr)
			}
			return usageErr("%v", err)
		}
		// A local study is read on from where its last read stopped
		// (report.Study.Reload): a running study's records are decoded
		// once, not on every read, and held once.
		var lastMu sync.Mutex
		last := map[string]*report.Study{}
		// Every study must be readable at start-up; later failed reads
		// keep the last good one (a journal mid-write).
		for _, src := range pos {
			if limit := dashboard.MemoryLimit(pos); limit > 0 {
				debug.SetMemoryLimit(limit)
			}
			st, err := readStudy(ctx, e, src, report.LoadTrials)
			if err != nil {
				return err
			}
			if !s3journal.IsURL(src) {
				last[src] = st
			}
		}
		load := func(ctx context.Context, src string) (*report.Study, error) {
			if s3journal.IsURL(src) {
				return loadS3Study(ctx, src)
			}
			lastMu.Lock()
			prev := last[src]
			lastMu.Unlock()
			if limit := dashboard.MemoryLimit(pos); limit > 0 {
				debug.SetMemoryLimit(limit)
			}
			read := report.LoadTrials
			if prev != nil {
				read = func(ctx context.Context, _ string) (*report.Study, error) { return prev.Reload(ctx) }
			}
			st, err := read(ctx, src)
			if err != nil {
				return nil, err
			}
			lastMu.Lock()
			last[src] = st
			lastMu.Unlock()
			return st, nil
		}
		// A local study is read again only when its journal changed.
		version := func(ctx context.Context, src string) (string, error) {
			if s3journal.IsURL(src) {
				return "", errors.New("always read")
			}
			fi, err := os.Stat(filepath.Join(src, results.JournalFile))
			if err != nil {
				return "", err
			}
			return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()), nil
		}
		srv := dashboard.New(dashboard.Options{Sources: pos, Load: load, Version: version, Token: *token, MaxAge: time.Second,
			Logs: &commandLogs{}, Log: slog.New(slog.NewTextHandler(e.stderr, nil))})
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		url := "http://" + ln.Addr().String() + "/"
		if *token != "" {
			url += "?token=" + *token
		}
		fmt.Fprintln(e.stdout, url)
		done := make(chan error, 1)
		go func() { done <- hs.Serve(ln) }()
		select {
		case err := <-done:
			return fmt.Errorf("dashboard: %w", err)
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			hs.Shutdown(sctx)
			<-done
			return ctx.Err()
		}
	}
	return cmd
}
