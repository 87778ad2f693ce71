"""scikit-learn's side of the predict benchmark (see run.sh): fit a
100-tree RandomForestClassifier on train.csv, then time, best of
--repeats, predict on predict.csv's rows already in memory (a numpy
array) and the whole stream (pandas.read_csv, predict, DataFrame.to_csv),
with n_jobs 1 and 2. Prints one JSON object per measurement, as main.go.
"""
import argparse
import json
import os
import time

import pandas as pd
from sklearn.ensemble import RandomForestClassifier


def best(repeats, f):
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        f()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    train = pd.read_csv(os.path.join(a.dir, "train.csv"))
    pred_path = os.path.join(a.dir, "predict.csv")
    pred = pd.read_csv(pred_path)
    X, y = train.drop(columns="label").to_numpy(), train["label"].to_numpy()
    Xp, yp = pred.drop(columns="label").to_numpy(), pred["label"].to_numpy()
    for jobs in (1, 2):
        rf = RandomForestClassifier(n_estimators=a.trees, random_state=0, n_jobs=jobs).fit(X, y)
        out = {}

        def predict():
            out["labels"] = rf.predict(Xp)

        wall, cpu = best(a.repeats, predict)
        acc = float((out["labels"] == yp).mean())
        print(json.dumps({"impl": "sklearn", "what": "predict", "n_jobs": jobs, "rows": len(Xp),
                          "seconds": wall, "cpu_seconds": cpu, "accuracy": acc}), flush=True)

        def stream():
            df = pd.read_csv(pred_path)
            labels = rf.predict(df[train.columns.drop("label")].to_numpy())
            pd.DataFrame({"label": labels}).to_csv(os.devnull, index=False)

        wall, cpu = best(a.repeats, stream)
        print(json.dumps({"impl": "sklearn", "what": "stream", "n_jobs": jobs, "rows": len(Xp),
                          "seconds": wall, "cpu_seconds": cpu, "accuracy": acc}), flush=True)


if __name__ == "__main__":
    main()
