#!/usr/bin/env python3
"""Reference scores and timings for trainers/tree and trainers/boosting.

Prints, for each setting that the Go tests and benchmarks use, the mean
5-fold CV score (StratifiedKFold(shuffle=True, random_state=0) for digits,
KFold(shuffle=True, random_state=0) for diabetes) and the wall time for all
five fits and predictions, single-threaded.

Run from the repository root:
    OMP_NUM_THREADS=1 python3 benchmarks/sklearn_refs/tree_bench.py [DATASETS_DIR]

DATASETS_DIR defaults to ../shared/datasets. The Go tests store the scores
printed here (trainers/tree/*_test.go, trainers/boosting/*_test.go); the
timings go in benchmarks/RESULTS.md next to `go test -bench` numbers.
Measured with scikit-learn 1.2.1 (Debian python3-sklearn).
"""
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.metrics import accuracy_score, r2_score  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def cv(model_fn, X, y, splitter, score, repeats=3):
    """Returns the mean score and the best-of-repeats time for five folds."""
    best = float("inf")
    scores = []
    for _ in range(repeats):
        scores = []
        t0 = time.perf_counter()
        for tr, te in splitter.split(X, y):
            m = model_fn()
            m.fit(X[tr], y[tr])
            scores.append(score(y[te], m.predict(X[te])))
        best = min(best, time.perf_counter() - t0)
    return float(np.mean(scores)), best


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "datasets")
    Xd, yd = load(os.path.join(root, "digits.csv"))
    Xr, yr = load(os.path.join(root, "diabetes.csv"))
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    kf = KFold(n_splits=5, shuffle=True, random_state=0)

    rows = [
        ("digits", "DecisionTreeClassifier(max_depth=10)",
         lambda: DecisionTreeClassifier(max_depth=10, random_state=0)),
        ("digits", "RandomForestClassifier(n_estimators=100)",
         lambda: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)),
        ("digits", "HistGradientBoostingClassifier()",
         lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0)),
        ("diabetes", "DecisionTreeRegressor(max_depth=4)",
         lambda: DecisionTreeRegressor(max_depth=4, random_state=0)),
        ("diabetes", "RandomForestRegressor(n_estimators=100)",
         lambda: RandomForestRegressor(n_estimators=100, n_jobs=1, random_state=0)),
        ("diabetes", "HistGradientBoostingRegressor()",
         lambda: HistGradientBoostingRegressor(early_stopping=False, random_state=0)),
        ("diabetes", "HistGradientBoostingRegressor(max_iter=50, learning_rate=0.05)",
         lambda: HistGradientBoostingRegressor(max_iter=50, learning_rate=0.05,
                                               early_stopping=False, random_state=0)),
    ]
    print(f"{'data':9} {'model':66} {'score':>7} {'seconds':>8}")
    for data, name, fn in rows:
        if data == "digits":
            s, t = cv(fn, Xd, yd, skf, accuracy_score)
        else:
            s, t = cv(fn, Xr, yr, kf, r2_score)
        print(f"{data:9} {name:66} {s:7.4f} {t:8.3f}", flush=True)


if __name__ == "__main__":
    main()
