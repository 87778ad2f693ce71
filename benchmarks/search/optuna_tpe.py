"""Optuna's side of the search benchmarks: TPESampler (Optuna 3.1
defaults) in memory on branin, hartmann6 or rosenbrock (4-D).

    /usr/bin/python3 optuna_tpe.py speed --trials 1000 [--timeout SECONDS]
    /usr/bin/python3 optuna_tpe.py quality --function branin --seeds 20 --budgets 50,100,200 [--multivariate]

speed prints one line "optuna trials=N wall_seconds=S"; quality prints
one JSON line per seed: {"function", "seed", "best": {"50": v, ...}}.
--multivariate runs TPESampler(multivariate=True) instead of the default
(independent) TPESampler, for reference.
"""
import argparse
import json
import math
import time
import warnings

import optuna

HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b, c = 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i + 1}", 0, 1) for i in range(6)]
    s = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j] * 1e-4) ** 2 for j in range(6))
        s += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -s


def rosenbrock(t):
    x = [t.suggest_float(f"x{i + 1}", -2, 2) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock": rosenbrock}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["speed", "quality"])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--function", default="branin")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budgets", default="50,100,200")
    ap.add_argument("--multivariate", action="store_true")
    ap.add_argument("--timeout", type=float, default=None, help="speed: stop after this many seconds")
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    if args.mode == "speed":
        start = time.perf_counter()
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
        study.optimize(branin, n_trials=args.trials, timeout=args.timeout)
        print(f"optuna trials={len(study.trials)} wall_seconds={time.perf_counter() - start:.3f} best={study.best_value:.6f}")
        return
    budgets = [int(b) for b in args.budgets.split(",")]
    for seed in range(args.seeds):
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=args.multivariate)
        study = optuna.create_study(sampler=sampler)
        study.optimize(FUNCTIONS[args.function], n_trials=max(budgets))
        values = [t.value for t in study.trials]
        best = {str(b): min(values[:b]) for b in budgets}
        print(json.dumps({"function": args.function, "seed": seed, "best": best}))


if __name__ == "__main__":
    main()
