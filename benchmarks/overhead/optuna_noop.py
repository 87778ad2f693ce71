"""Optuna's side of the scheduler-overhead benchmark: 10,000 trials of a
no-op objective with RandomSampler over a float, a log-float and a
categorical parameter. Run with Debian's /usr/bin/python3 (python3-optuna).

    /usr/bin/python3 optuna_noop.py [--trials N] [--storage sqlite:///x.db]
"""
import argparse
import time

import optuna


def objective(trial):
    x = trial.suggest_float("x", -10.0, 10.0)
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    return x + lr + len(kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--storage", default=None)
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    study = optuna.create_study(
        sampler=optuna.samplers.RandomSampler(seed=0), storage=args.storage
    )
    study.optimize(objective, n_trials=args.trials)
    wall = time.perf_counter() - start
    print(f"optuna trials={args.trials} storage={args.storage or 'memory'} wall_seconds={wall:.3f} per_trial_ms={wall / args.trials * 1000:.3f}")


if __name__ == "__main__":
    main()
