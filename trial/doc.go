// Package trial is the shared vocabulary of hpsearch: the parameters of one
// trial, the trial itself, its result and state, the declared parameters of
// a model, the metrics and their directions, and the sentinel errors that
// every other package may return. It depends on nothing else in the module,
// so every package may import it.
package trial
