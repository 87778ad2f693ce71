package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// envCPUProfile names the file that "hpsearch run" (and resume, which
// runs through it) writes a CPU profile of the whole run to, for
// `go tool pprof`; unset, nothing is profiled.
const envCPUProfile = "HPSEARCH_CPUPROFILE"

// envMemProfile names the file that "hpsearch run" (and resume) writes
// a heap profile to when it ends, for `go tool pprof`: its alloc_space
// is everything the run allocated, its inuse_space what was live at the
// end. Beside it, FILE.peak is the heap profile taken when the live heap
// was at its largest (see peakSampler), whose inuse_space says what held
// the run's peak memory (the profile at the end, if the heap never grew
// past peakSampleMin). Unset, nothing is profiled.
const envMemProfile = "HPSEARCH_MEMPROFILE"

// startProfiles starts the profiles the environment asks for (see
// envCPUProfile and envMemProfile) and returns the function that stops
// them and writes their files.
func startProfiles(getenv func(string) string) (stop func() error, err error) {
	stopCPU, err := startCPUProfile(getenv)
	if err != nil {
		return nil, err
	}
	stopMem, err := startMemProfile(getenv)
	if err != nil {
		stopCPU()
		return nil, err
	}
	return func() error { return errors.Join(stopMem(), stopCPU()) }, nil
}

// startCPUProfile starts profiling the process's CPU into the file that
// getenv(envCPUProfile) names, and returns the function that stops the
// profile and closes the file. With the variable unset it does nothing.
// The profile covers everything the process does from here on: the
// scheduler, the executor's SDK calls, the journal and the refit.
func startCPUProfile(getenv func(string) string) (stop func() error, err error) {
	path := getenv(envCPUProfile)
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envCPUProfile, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %s: %w", envCPUProfile, path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %s: %w", envCPUProfile, path, err)
		}
		return nil
	}, nil
}

// startMemProfile starts watching the live heap for the file that
// getenv(envMemProfile) names (see envMemProfile), and returns the
// function that stops watching and writes the profile at exit. With the
// variable unset it does nothing. Both files are created here, so that
// a path that cannot be written fails before the run starts.
func startMemProfile(getenv func(string) string) (stop func() error, err error) {
	path := getenv(envMemProfile)
	if path == "" {
		return func() error { return nil }, nil
	}
	for _, p := range []string{path, path + ".peak"} {
		f, err := os.Create(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envMemProfile, err)
		}
		f.Close()
	}
	s := &peakSampler{path: path + ".peak", every: 50 * time.Millisecond, done: make(chan struct{})}
	s.wg.Add(1)
	go s.watch()
	return func() error {
		close(s.done)
		s.wg.Wait()
		err := s.err
		if werr := writeHeapProfile(path); werr != nil {
			err = errors.Join(err, werr)
		}
		if !s.wrote { // the heap never grew past peakSampleMin
			if werr := writeHeapProfile(s.path); werr != nil {
				err = errors.Join(err, werr)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", envMemProfile, err)
		}
		return nil
	}, nil
}

// peakSampler writes a heap profile to path each time the live heap
// (as the last garbage collection found it) has grown past its largest
// yet by an eighth: the last one written is within about an eighth of
// the peak, and a heap that grows to n bytes is profiled (and collected
// for it) about log(n)/log(9/8) times.
type peakSampler struct {
	path  string
	every time.Duration
	done  chan struct{}
	wg    sync.WaitGroup
	// err is the first failed write and wrote says one was written;
	// watch alone writes them until done is closed.
	err   error
	wrote bool
}

// peakSampleMin is the live heap below which no peak profile is taken:
// the run's start is not worth a profile.
const peakSampleMin = 16 << 20

func (s *peakSampler) watch() {
	defer s.wg.Done()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var largest uint64
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return // not in this runtime: only the profile at exit
		}
		live := sample[0].Value.Uint64()
		if live < peakSampleMin || live < largest+largest/8 {
			continue
		}
		largest = live
		if err := writeHeapProfile(s.path); err != nil && s.err == nil {
			s.err = err
		}
		s.wrote = true
	}
}

// writeHeapProfile writes the heap profile to path, replacing it. A
// heap profile reports the live heap as of a collection one or two
// cycles back, so it collects first: its inuse_space is the heap now.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
