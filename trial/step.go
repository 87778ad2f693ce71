package trial

// Step is an intermediate value a trial reported while it ran: its score
// after Step steps of training (epochs, iterations; the trial's own
// unit), as a command objective prints {"step": 3, "score": 0.82}. Early
// stopping with budget: step judges a running trial by these, and prunes
// it when they fall behind (see search.NewPruner).
type Step struct {
	Step  int64   `json:"step"`
	Value float64 `json:"value"`
}
