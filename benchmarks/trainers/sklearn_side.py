#!/usr/bin/env python3
"""scikit-learn side of the trainers benchmark (benchmarks/trainers).

Reads a plan written by the Go driver: the data sets (a headerless CSV of X
as hpsearch's worker sees it plus the target as the last column, and a JSON
file of the fold indices from worker.Splits) and one row per setting (a
dotted scikit-learn class, its keyword arguments, whether features are
standardized, the metric). A repetition of a row fits and predicts on the
five folds, with a StandardScaler in a Pipeline when the row says so, and
reports the mean score and the wall and CPU seconds for the five folds.

    sklearn_side.py --serve PLAN.json    # read row ids on stdin, answer one JSON line each (the Go driver's mode)
    sklearn_side.py PLAN.json [--reps N] # run every row, print a table

Threads: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are set
to 1 before NumPy is imported, and every estimator with n_jobs gets 1.
Measured with scikit-learn 1.2.1 (Debian python3-sklearn).
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, r2_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

warnings.filterwarnings("ignore")  # ConvergenceWarning from MLP and LinearSVC, as hpsearch is silent too

METRICS = {"accuracy": accuracy_score, "r2": r2_score}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


class Plan:
    def __init__(self, path):
        with open(path) as f:
            plan = json.load(f)
        self.data = plan["data"]
        self.rows = {r["id"]: r for r in plan["rows"]}
        self._loaded = {}

    def dataset(self, name):
        if name not in self._loaded:
            d = self.data[name]
            arr = np.loadtxt(d["data"], delimiter=",", ndmin=2)
            with open(d["folds"]) as f:
                folds = [(np.array(s["train"]), np.array(s["test"])) for s in json.load(f)["folds"]]
            self._loaded[name] = (np.ascontiguousarray(arr[:, :-1]), arr[:, -1], folds)
        return self._loaded[name]

    def estimator(self, row):
        module, _, cls = row["peer"].rpartition(".")
        est = getattr(importlib.import_module(module), cls)(**row["args"])
        if row["scale"] in SCALERS:
            return make_pipeline(SCALERS[row["scale"]](), est)
        return est

    def run(self, row_id):
        """Fits and scores the row's five folds once."""
        row = self.rows[row_id]
        X, y, folds = self.dataset(row["data"])
        if row["task"] == "classification":
            y = y.astype(np.int64)
        score = METRICS[row["metric"]]
        self.estimator(row)  # imports the estimator's module outside the timing
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        scores = []
        for train, test in folds:
            est = self.estimator(row)
            est.fit(X[train], y[train])
            scores.append(float(score(y[test], est.predict(X[test]))))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        return {"id": row_id, "score": float(np.mean(scores)), "fold_scores": scores, "wall": wall, "cpu": cpu}


def serve(plan):
    print("ready", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            out = plan.run(int(line))
        except Exception as e:  # reported in the table, not fatal
            out = {"id": line, "error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)


def table(plan, reps):
    print("| data | family | scikit-learn | score | seconds | cpu s |")
    print("|---|---|---|---:|---:|---:|")
    for row_id, row in sorted(plan.rows.items()):
        runs = [plan.run(row_id) for _ in range(reps)]
        print("| %s | %s | %s(%s) | %.4f | %.3f | %.3f |" % (
            row["data"], row["family"], row["peer"].rpartition(".")[2],
            ", ".join("%s=%s" % kv for kv in sorted(row["args"].items())),
            runs[-1]["score"], min(r["wall"] for r in runs), min(r["cpu"] for r in runs)), flush=True)


def main(argv):
    if len(argv) >= 2 and argv[0] == "--serve":
        serve(Plan(argv[1]))
        return 0
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    reps = 3
    if len(argv) == 3 and argv[1] == "--reps":
        reps = int(argv[2])
    table(Plan(argv[0]), reps)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
