package main

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	_ "github.com/hpsearch/hpsearch/trainers/zoo" // registers every model family
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

//go:embed sklearn_side.py
var sklearnSide []byte

// bench runs the comparison.
type bench struct {
	dir    string
	reps   int
	budget time.Duration
	python string // "" runs our side only
	log    *slog.Logger
}

// measurement is what a side's repetitions gave.
type measurement struct {
	Score      float64   // mean CV score, averaged over repetitions
	Scores     []float64 // mean CV score of each repetition
	FoldScores []float64 // of the last repetition
	Wall, CPU  float64   // minimum seconds over repetitions
	Err        string
}

func (m *measurement) add(score float64, folds []float64, wall, cpu float64) {
	if m.Wall == 0 || wall < m.Wall {
		m.Wall = wall
	}
	if m.CPU == 0 || cpu < m.CPU {
		m.CPU = cpu
	}
	m.Scores = append(m.Scores, score)
	m.FoldScores = folds
	var sum float64
	for _, s := range m.Scores {
		sum += s
	}
	m.Score = sum / float64(len(m.Scores))
}

// spread is the range of the repetitions' scores: zero for a
// deterministic side.
func (m *measurement) spread() (lo, hi float64) {
	if len(m.Scores) == 0 {
		return 0, 0
	}
	lo, hi = m.Scores[0], m.Scores[0]
	for _, s := range m.Scores {
		lo, hi = min(lo, s), max(hi, s)
	}
	return lo, hi
}

// outcome is one row of the table.
type outcome struct {
	job
	Scale       string
	Ours, Peer  measurement
	Reps        int
	Load1Before string
}

func (b *bench) run(ctx context.Context, out io.Writer, jobs []job) error {
	// Our side is single-threaded: one P for Go code, and every family's
	// n_jobs is left at its default of 1.
	runtime.GOMAXPROCS(1)
	w := worker.New(nil)
	data := map[string]*prepared{}
	for _, j := range jobs {
		if data[j.Data] != nil {
			continue
		}
		b.log.Info("preparing data", "data", j.Data)
		p, err := prepare(ctx, w, b.dir, j.Data, j.Task)
		if err != nil {
			return err
		}
		data[j.Data] = p
	}
	var peer *peerProcess
	if b.python != "" {
		var err error
		if peer, err = b.startPeer(ctx, jobs, data); err != nil {
			return err
		}
		defer peer.close()
	}
	started := time.Now()
	loadStart := loadAverage()
	var results []outcome
	for i, j := range jobs {
		fam, _ := trainers.Lookup(j.Family)
		o := outcome{job: j, Scale: preprocess.ScaleFor("", fam), Load1Before: loadAverage()}
		rowStart := time.Now()
		for rep := range b.reps {
			if err := ctx.Err(); err != nil {
				return err
			}
			sides := []func() error{
				func() error { return b.runOurs(ctx, w, data[j.Data], j, &o.Ours) },
			}
			if peer != nil {
				runPeer := func() error { return peer.run(i, &o.Peer) }
				if rep%2 == 0 {
					sides = append(sides, runPeer)
				} else {
					sides = append([]func() error{runPeer}, sides...)
				}
			}
			for _, side := range sides {
				if err := side(); err != nil {
					return err
				}
			}
			o.Reps = rep + 1
			if time.Since(rowStart) > b.budget {
				break
			}
		}
		b.log.Info("row done", "data", j.Data, "family", j.Family, "reps", o.Reps,
			"ours_s", round(o.Ours.Wall), "ours_score", round(o.Ours.Score),
			"peer_s", round(o.Peer.Wall), "peer_score", round(o.Peer.Score), "load", o.Load1Before)
		results = append(results, o)
	}
	writeTable(out, results, peer != nil)
	fmt.Fprintf(out, "\n%s; %d rows in %s; load average %s at start, %s at end; GOMAXPROCS=1, OMP_NUM_THREADS=1.\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), len(results), time.Since(started).Round(time.Second), loadStart, loadAverage())
	return nil
}

// runOurs runs j once through the worker, as a trial would.
func (b *bench) runOurs(ctx context.Context, w *worker.Worker, p *prepared, j job, m *measurement) error {
	req := p.Base
	req.Trial = trial.Trial{Number: 1, Model: j.Family, Params: j.Params.Clone(), Seed: 0, Attempt: 1}
	runtime.GC() // do not bill this run for the previous one's garbage
	cpu0 := cpuSeconds()
	start := time.Now()
	res := w.Run(ctx, req)
	wall := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpu0
	if res.State != trial.Complete {
		m.Err = res.Error
		b.log.Warn("our trial failed", "family", j.Family, "data", j.Data, "error", res.Error)
		return nil
	}
	m.add(res.Score, res.FoldScores, wall, cpu)
	return nil
}

// peerProcess is sklearn_side.py serving one repetition per request.
type peerProcess struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (b *bench) startPeer(ctx context.Context, jobs []job, data map[string]*prepared) (*peerProcess, error) {
	script := filepath.Join(b.dir, "sklearn_side.py")
	if err := os.WriteFile(script, sklearnSide, 0o644); err != nil {
		return nil, err
	}
	type planRow struct {
		ID      int            `json:"id"`
		Data    string         `json:"data"`
		Family  string         `json:"family"`
		Peer    string         `json:"peer"`
		Args    map[string]any `json:"args"`
		Scale   string         `json:"scale"`
		Metric  string         `json:"metric"`
		Task    trial.Task     `json:"task"`
		Comment string         `json:"comment,omitempty"`
	}
	type planData struct {
		Data  string `json:"data"`
		Folds string `json:"folds"`
	}
	plan := struct {
		Data map[string]planData `json:"data"`
		Rows []planRow           `json:"rows"`
	}{Data: map[string]planData{}}
	for name, p := range data {
		plan.Data[name] = planData{p.Data, p.Folds}
	}
	for i, j := range jobs {
		fam, _ := trainers.Lookup(j.Family)
		plan.Rows = append(plan.Rows, planRow{ID: i, Data: j.Data, Family: j.Family, Peer: j.Sklearn, Args: j.SklearnArgs,
			Scale: preprocess.ScaleFor("", fam), Metric: data[j.Data].Base.Metric, Task: j.Task})
	}
	planPath := filepath.Join(b.dir, "plan.json")
	if err := writeFile(planPath, func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(plan)
	}); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, b.python, script, "--serve", planPath)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", "PYTHONWARNINGS=ignore")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", b.python, err)
	}
	sc := bufio.NewScanner(outPipe)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	p := &peerProcess{cmd: cmd, in: in, out: sc}
	if err := p.expect("ready"); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *peerProcess) expect(word string) error {
	if !p.out.Scan() {
		return fmt.Errorf("sklearn side exited before saying %q: %v", word, p.out.Err())
	}
	if got := strings.TrimSpace(p.out.Text()); got != word {
		return fmt.Errorf("sklearn side said %q, want %q", got, word)
	}
	return nil
}

// run has the peer run row id once and adds the result to m.
func (p *peerProcess) run(id int, m *measurement) error {
	if _, err := fmt.Fprintf(p.in, "%d\n", id); err != nil {
		return fmt.Errorf("sklearn side: %w", err)
	}
	if !p.out.Scan() {
		return fmt.Errorf("sklearn side exited: %v", p.out.Err())
	}
	var r struct {
		Score      float64   `json:"score"`
		FoldScores []float64 `json:"fold_scores"`
		Wall       float64   `json:"wall"`
		CPU        float64   `json:"cpu"`
		Error      string    `json:"error"`
	}
	if err := json.Unmarshal(p.out.Bytes(), &r); err != nil {
		return fmt.Errorf("sklearn side: bad reply %q: %w", p.out.Text(), err)
	}
	if r.Error != "" {
		m.Err = r.Error
		return nil
	}
	m.add(r.Score, r.FoldScores, r.Wall, r.CPU)
	return nil
}

func (p *peerProcess) close() {
	p.in.Close()
	_ = p.cmd.Wait()
}

// cpuSeconds is the user plus system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// loadAverage is the 1, 5 and 15 minute load average, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
