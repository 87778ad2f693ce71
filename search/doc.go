// Package search turns a study spec into trials to run.
//
// A spec is YAML (see Spec): the study's name, dataset, model families and
// the space of their parameters. Parse and Load read it, record the line of
// every field, check it against the model catalog (trial.Catalog) and fill
// in defaults; every problem is a *trial.InputError with file, line and
// field, and a spec with several is reported with up to MaxErrors of them
// at once, in file order, as an *Errors. Spec.Errorf lets later checks
// (the dataset exists, the target column is there) point at the same
// lines.
//
// Reading and checking a spec takes time linear in its size, which is at
// most MaxSpecBytes; every number that sizes an allocation has a bound
// (MaxParallel, MaxTrialsLimit, MaxGridSize, MaxGridPoints, trial.MaxFolds,
// trial.MaxSplits and the models' declared ranges). A default applies to
// a setting left out; a 0 written where 0 means nothing is an error. The
// checks a worker request shares with the spec (cv, preprocess, task,
// metric) are trial's, so both sides apply the same rules.
//
// A parameter is written as
//
//	n_neighbors: {min: 1, max: 30}            # range; int or float per the model's declaration
//	C: {min: 1e-3, max: 1e3, log: true}       # log-uniform
//	alpha: {min: 0, max: 1, step: 0.1}        # quantized (W&B's q)
//	gamma: {min: 1e-4, max: 1, log: true, grid_points: 5}  # 5 log-spaced grid points
//	weights: {values: [uniform, distance]}    # categorical; also a bare list
//	p: {value: 2}                             # constant; also a bare scalar
//	lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}  # W&B spelling
//
// Parameters not listed keep the model's default and are not searched.
//
// A Sampler proposes trials ask/tell style. NewSampler returns one by
// search method: grid (the cartesian product in a documented order),
// random (independent draws, trial n a function of the seed and n) and
// sobol (a scrambled low-discrepancy sequence, point n a function of the
// seed and n) and tpe (Optuna's Tree-structured Parzen Estimator,
// multivariate unless the spec says multivariate: false, with a constant
// liar for trials in flight; its g density is built from the TPEWindow
// most recent configurations besides the best, so an Ask costs the same
// at trial 100,000 as at trial 1,000). With an early_stopping: block the
// sampler is wrapped in asha, hyperband or median early stopping, which
// runs configurations at growing budgets (trial.Budget) and promotes the
// promising ones. TrialSeed gives every trial its own seed.
package search
