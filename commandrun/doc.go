// Package commandrun runs a user's own program as the objective of a
// trial: the executor of command studies (spec key command:). It speaks
// the command protocol, which is a contract with the user's code:
//
// Input. The trial's parameters arrive as one JSON object, on one line,
// on the command's standard input: {"alpha": 0.001, "loss": "hinge"}.
// An argument of the command containing {name} has it replaced by the
// value of parameter name (floats in full precision, as Go's %g with
// the fewest digits that read back the same value). The command runs
// without a shell, in the directory of the spec file, with hpsearch's
// environment plus:
//
//	HPSEARCH_TRIAL      the trial's number (0, 1, 2, ...)
//	HPSEARCH_SEED       the trial's seed, a decimal uint64, for the command's own randomness
//	HPSEARCH_PARAMS     the same JSON object as standard input
//	HPSEARCH_BUDGET     the trial's budget value, when early stopping gives one per trial
//	HPSEARCH_TRIAL_DIR  an empty scratch directory of its own; deleted after
//	                    a complete or pruned trial, kept after a failed one
//
// Output. Each line of standard output that is a JSON object with "step"
// (a whole number at least 0) and "score" (a finite number) is an
// intermediate value: {"step": 3, "score": 0.82}. The last JSON object
// with "score" and no "step" is the result: {"score": 0.91}. Other keys
// are ignored. Every other line, and all of standard error, goes to the
// trial's log, STUDY/trials/N.log (made only when there is something to
// write).
//
// Failure. A trial fails when the command cannot start, exits non-zero,
// is killed by a signal, runs past the study's timeout, prints a line
// that starts with { and mentions "score" but is not valid JSON (NaN and
// Infinity are not JSON), gives a score that is not a finite number or a step that is not
// a whole number, or exits without a result line. Its error says which,
// with the exit status, the last lines of standard error, and where its
// log and scratch directory are.
//
// Pruning. When the executor has a Pruner, each intermediate value is
// judged as it arrives; a trial to be pruned is sent SIGTERM, and
// SIGKILL if it has not exited after the grace period. It is recorded as
// pruned, with its last value as Result.Score and every value in
// Result.Steps (the last step is the last of them). A timeout and a
// cancelled study (Ctrl-C) stop the command the same way.
//
// Processes. Each command runs in a process group of its own, and when
// it exits, for whatever reason, whatever it left running in that group
// is killed, so no trial leaves orphans behind (a process that leaves
// the group, with setsid, is beyond reach).
package commandrun
