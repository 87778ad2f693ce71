"""Optuna 3.1 running a trivial command in its objective with subprocess.run,
the peer of hpsearch's command objectives (benchmarks/command/main.go).

    /usr/bin/python3 benchmarks/command/optuna_command.py --trials 1000
"""
import argparse
import json
import subprocess
import time

import optuna

parser = argparse.ArgumentParser()
parser.add_argument("--trials", type=int, default=1000)
args = parser.parse_args()

COMMAND = ["/bin/sh", "-c", "echo '{\"score\":1}'"]


def objective(trial):
    params = {"x": trial.suggest_float("x", 0.0, 1.0)}
    out = subprocess.run(COMMAND, input=json.dumps(params), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["score"]


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1))
start = time.perf_counter()
study.optimize(objective, n_trials=args.trials)
wall = time.perf_counter() - start
print(f"optuna subprocess.run trials={args.trials} wall_seconds={wall:.3f} per_trial_ms={wall / args.trials * 1000:.3f}")
