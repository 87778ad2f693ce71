// Package zoo registers every model family of hpsearch. Import it for its
// side effect where all families must be available (the CLI, the worker,
// the benchmarks):
//
//	import _ "github.com/hpsearch/hpsearch/trainers/zoo"
//
// A new family package is added to the imports in zoo.go; the test of this
// package then checks its declarations like every other family's.
package zoo
