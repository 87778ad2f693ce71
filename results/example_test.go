package results_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

func ExampleLeaderboard() {
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Model: "knn", Score: 0.94, Seconds: 0.5, Params: trial.Params{"n_neighbors": 3}},
		{Number: 1, State: trial.Failed, Model: "knn", Error: "boom", Params: trial.Params{"n_neighbors": 0}},
		{Number: 2, State: trial.Complete, Model: "knn", Score: 0.97, Seconds: 0.25, Params: trial.Params{"n_neighbors": 9}},
	}
	results.WriteTable(os.Stdout, results.Leaderboard(rs, trial.Maximize), 10, "accuracy")
	// Output:
	// RANK  TRIAL  STATE     MODEL  ACCURACY  SECONDS  ERROR  PARAMS
	// 1     2      complete  knn    0.97      0.25     -      n_neighbors=9
	// 2     0      complete  knn    0.94      0.50     -      n_neighbors=3
	// -     1      failed    knn    -         0.00     boom   n_neighbors=0
}

func ExamplePrintable() {
	fmt.Println(results.Printable("distance\x1b]0;owned\x07"))
	// Output: distance\x1b]0;owned\x07
}

func ExampleCSVCell() {
	for _, cell := range []string{`=HYPERLINK("http://example.com")`, "-0.5", "@SUM(A1)", "uniform"} {
		fmt.Println(results.CSVCell(cell))
	}
	// Output:
	// '=HYPERLINK("http://example.com")
	// -0.5
	// '@SUM(A1)
	// uniform
}

// A journal with a result for a trial that was never dispatched is
// refused, naming the line.
func ExampleReadJournal() {
	journal := `{"type":"study","study":"s"}
{"type":"dispatch","trial":{"number":0,"model":"knn","params":{"k":3},"seed":7}}
{"type":"result","result":{"number":999999999999,"state":"complete","model":"knn","params":{"k":3},"seed":7,"score":1,"seconds":1}}
`
	_, err := results.ReadJournal(strings.NewReader(journal), "journal.jsonl")
	fmt.Println(errors.Is(err, results.ErrCorrupt), errors.Is(err, results.ErrInconsistent))
	fmt.Println(err)
	// Output:
	// true true
	// results: journal.jsonl:3: inconsistent journal record: a result for trial 999999999999, beyond any trial dispatched before it (the highest is 0); hpsearch does not write that, so the journal was changed by something else
}
