// Package results records a study and ranks its trials.
//
// A study lives in a directory DIR/NAME holding spec.yaml (the spec as
// written), spec.json (the spec resolved) and journal.jsonl, an append-only
// journal with one JSON Event per line:
//
//	{"type":"study","time":"...","study":"iris-knn"}
//	{"type":"dispatch","time":"...","trial":{"number":0,...}}
//	{"type":"result","time":"...","result":{"number":0,"state":"complete",...}}
//	{"type":"stop","time":"...","reason":"max_trials"}
//
// The journal is the only record of a study: the leaderboard and summary
// are pure functions of its events (Leaderboard, Summarize), never a second
// copy kept in step.
//
// Events are written through a Store, a three-method interface with two
// implementations: Journal, the file, which makes every Append durable with
// one fsync shared by all concurrent appenders (group commit); and Memory,
// for tests and benchmarks. Package results/storetest holds the conformance
// suite every Store passes.
//
// A journal that ends in a torn record (the process died mid-write) is read
// up to the last whole record with a warning; a damaged record anywhere
// else is a *CorruptError naming its line, and so is a whole record that
// contradicts those before it as no scheduler writes it (a result for a
// trial never dispatched, a second result for a trial; see Checker),
// which wraps ErrInconsistent too.
//
// Text from a spec or a journal reaches people through Printable (a
// terminal) and CSVCell (a spreadsheet), so that it cannot drive the
// terminal or run as a formula.
package results
