// Package objective registers the standard test functions that hpsearch
// can minimise without a dataset: branin, hartmann6, rosenbrock and noop.
// They let a search strategy be checked against a known optimum and let
// the scheduler and executors be measured with trials that cost nothing.
//
// Every family is a trainers.Objective whose score is the function's value
// (metric "value", minimised). Import the package for its side effect, or
// trainers/zoo for every family.
package objective
