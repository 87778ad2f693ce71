#!/usr/bin/python3
"""Cross-check of `hpsearch best --format sklearn` and `hpsearch export`.

For every learner family it runs a small hpsearch study (5-fold CV), takes
the best trial's scikit-learn snippet (`best --format sklearn`), executes
it, and fits the estimator it defines in scikit-learn on the SAME rows and
the SAME five folds as hpsearch (written by ./folds, which calls the
worker's own split code), scoring each validation fold with the study's
metric. The table compares that cross-validated score with the best
trial's own (its fold mean). Where hpsearch has a predict command it also
holds out the first fold's validation rows: a second study runs on the
other rows (from a CSV; it ends by refitting its best trial on them),
`hpsearch predict` scores the held-out rows, and that study's snippet,
fitted in scikit-learn on the same rows, scores them too. It then loads
every `export` format of the study in pandas and checks rows, columns
and fold statistics.

Needs Debian's python3-sklearn (1.2.1) and python3-pandas. Reading the
Parquet export in pandas needs pyarrow or fastparquet, which Debian 12
does not package: without one, the script reads it with hyparquet, an
independent Parquet reader in JavaScript (npm install into the work
directory; needs node), into a pandas DataFrame, and the table says so.

Usage (from the repository root):
  /usr/bin/python3 benchmarks/sklearncheck/check.py [--keep DIR]
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

HYPARQUET = "hyparquet@1.31.5"
# Reads a Parquet file with hyparquet; prints {"columns": [...], "rows": [...]}.
HYPARQUET_READ = """
const { asyncBufferFromFile, parquetReadObjects, parquetMetadataAsync, parquetSchema } = await import('hyparquet')
const file = await asyncBufferFromFile(process.argv[2])
const columns = parquetSchema(await parquetMetadataAsync(file)).children.map(c => c.element.name)
const rows = await parquetReadObjects({ file })
process.stdout.write(JSON.stringify({ columns, rows }, (k, v) => typeof v === 'bigint' ? v.toString() : v))
"""

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone
from sklearn.metrics import accuracy_score, r2_score

# family, dataset, metric, preprocess, parameters (a spec's parameters:)
CASES = [
    ("knn", "breast_cancer", "accuracy", {"impute": "median"},
     {"n_neighbors": {"min": 1, "max": 30}, "weights": ["uniform", "distance"], "p": [1, 2]}),
    ("decision_tree", "breast_cancer", "accuracy", {},
     {"max_depth": {"min": 0, "max": 8}, "min_samples_leaf": {"min": 1, "max": 10},
      "criterion": ["gini", "entropy"]}),
    ("random_forest", "breast_cancer", "accuracy", {},
     {"n_estimators": [60], "max_depth": {"min": 0, "max": 8}, "max_features": ["auto", "log2", 0.5]}),
    ("gradient_boosting", "breast_cancer", "accuracy", {},
     {"max_iter": [60], "learning_rate": {"min": 0.03, "max": 0.3, "log": True}, "max_depth": [0, 3]}),
    ("linear_svm", "breast_cancer", "accuracy", {},
     {"C": {"min": 0.001, "max": 10, "log": True}}),
    ("logistic_regression", "breast_cancer", "accuracy", {"scale": "minmax"},
     {"C": {"min": 0.01, "max": 100, "log": True}}),
    ("mlp", "breast_cancer", "accuracy", {},
     {"hidden_layer_sizes": ["50", "64,32"], "alpha": {"min": 1e-5, "max": 1e-1, "log": True}}),
    ("naive_bayes", "breast_cancer", "accuracy", {},
     {"var_smoothing": {"min": 1e-10, "max": 1e-6, "log": True}}),
    ("bernoulli_nb", "breast_cancer", "accuracy", {"scale": "standard"},
     {"binarize": {"min": -0.5, "max": 0.5}}),
    ("id3", "breast_cancer", "accuracy", {},
     {"min_samples_split": {"min": 2, "max": 40}}),
    ("ridge", "diabetes", "r2", {},
     {"alpha": {"min": 0.01, "max": 100, "log": True}}),
    ("knn", "diabetes", "r2", {},
     {"n_neighbors": {"min": 5, "max": 40}, "weights": ["uniform", "distance"]}),
    ("random_forest", "diabetes", "r2", {},
     {"n_estimators": [60], "max_depth": {"min": 0, "max": 6}}),
]
TRIALS = 6
FOLDS = 5


def sh(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def score(metric, y, pred):
    return accuracy_score(y, pred) if metric == "accuracy" else r2_score(y, pred)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", help="keep the studies in this directory")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="sklearncheck-")
    os.makedirs(work, exist_ok=True)
    hp = os.path.join(work, "hpsearch")
    folds_bin = os.path.join(work, "folds")
    sh(["go", "build", "-o", hp, "./cmd/hpsearch"])
    sh(["go", "build", "-o", folds_bin, "./benchmarks/sklearncheck/folds"])
    has_predict = subprocess.run([hp, "predict", "--help"], capture_output=True).returncode == 0
    data = {}
    rows, problems = [], []
    for family, dataset, metric, pre, params in CASES:
        name = f"check-{family.replace('_', '-')}-{dataset.replace('_', '-')}"
        spec = {"name": name, "dataset": dataset, "model": family, "metric": metric,
                "cv": {"folds": FOLDS, "seed": 0}, "preprocess": pre,
                "search": {"method": "random", "max_trials": TRIALS, "parallel": 2, "seed": 1},
                "parameters": params}
        spec_path = os.path.join(work, name + ".yaml")
        with open(spec_path, "w") as f:
            json.dump(spec, f)  # JSON is YAML
        study = os.path.join(work, "runs", name)
        shutil.rmtree(study, ignore_errors=True)
        sh([hp, "run", spec_path, "--dir", os.path.join(work, "runs"), "--quiet"])
        best = json.loads(sh([hp, "best", study]))
        snippet = sh([hp, "best", study, "--format", "sklearn"])
        ns = {}
        exec(compile(snippet, f"{name}.py", "exec"), ns)
        estimator = ns["estimator"]
        if dataset not in data:
            data[dataset] = json.loads(sh([folds_bin, "-dataset", dataset, "-folds", str(FOLDS), "-seed", "0"]))
        d = data[dataset]
        X = np.array(d["X"], dtype=float)
        y = np.array(d["y"])
        if d["task"] == "classification":
            y = y.astype(int)
        fold_scores = []
        for sp in d["splits"]:
            est = clone(estimator)
            est.fit(X[sp["train"]], y[sp["train"]])
            fold_scores.append(score(metric, y[sp["valid"]], est.predict(X[sp["valid"]])))
        sk = float(np.mean(fold_scores))
        exact = "not exact" if "exact" in snippet else ""
        ok_export = check_exports(hp, study, work, name, problems)
        held = held_out(hp, work, spec, d, X, y) if has_predict else None
        rows.append((family, dataset, metric, best["trial"], best["score"], sk, sk - best["score"],
                     held, exact, ok_export))
        print(f"{family:20s} {dataset:14s} hpsearch {best['score']:.4f} sklearn {sk:.4f} held-out {held}", file=sys.stderr)

    print(f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}, numpy {np.__version__}; "
          f"{TRIALS} random-search trials per study, {FOLDS}-fold CV (the study's folds, cv.seed 0)\n")
    held_cols = " hpsearch predict, held out | scikit-learn, held out |" if has_predict else ""
    print(f"| family | dataset | metric | best trial | hpsearch CV | scikit-learn CV, same folds | difference |{held_cols} export in pandas |")
    print("|---|---|---|---|---|---|---|" + ("---|---|" if has_predict else "") + "---|")
    for family, dataset, metric, trial_no, hs, sk, diff, held, exact, exp in rows:
        fam = family + (" (no exact equivalent)" if family == "id3" else " (not exact)" if exact else "")
        h = f" {held[0]:.4f} | {held[1]:.4f} |" if held else ""
        print(f"| {fam} | {dataset} | {metric} | {trial_no} | {hs:.4f} | {sk:.4f} | {diff:+.4f} |{h} {exp} |")
    if not has_predict:
        print("\n(no held-out columns: this hpsearch has no predict command)")
    if problems:
        print("\nproblems:", *problems, sep="\n  ")
        sys.exit(1)


def held_out(hp, work, spec, d, X, y):
    """Holds out the first fold's validation rows: runs the study on the
    others from a CSV (the study refits its best trial on them), predicts
    the held-out rows with `hpsearch predict`, and fits the study's
    `best --format sklearn` estimator on the same rows in scikit-learn.
    Returns both held-out scores."""
    train, test = d["splits"][0]["train"], d["splits"][0]["valid"]
    target = [d["classes"][int(v)] for v in y] if d["task"] == "classification" else list(y)
    frame = pd.DataFrame(X, columns=d["features"])
    frame["target"] = target
    name = spec["name"] + "-holdout"
    train_csv, test_csv = (os.path.join(work, f"{name}-{part}.csv") for part in ("train", "test"))
    frame.iloc[train].to_csv(train_csv, index=False)
    frame.iloc[test].drop(columns=["target"]).to_csv(test_csv, index=False)
    spec = dict(spec, name=name, dataset=train_csv, target="target")
    spec_path = os.path.join(work, name + ".yaml")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    study = os.path.join(work, "runs", name)
    shutil.rmtree(study, ignore_errors=True)
    sh([hp, "run", spec_path, "--dir", os.path.join(work, "runs"), "--quiet"])
    pred_csv = os.path.join(work, name + "-pred.csv")
    sh([hp, "predict", study, "--input", test_csv, "--output", pred_csv])
    pred = pd.read_csv(pred_csv, dtype={"target": str} if d["task"] == "classification" else None)["target"]
    truth = frame.iloc[test]["target"]
    metric = spec["metric"]
    hs = score(metric, truth.astype(str) if d["task"] == "classification" else truth, pred.to_numpy())
    ns = {}
    exec(compile(sh([hp, "best", study, "--format", "sklearn"]), name + ".py", "exec"), ns)
    est = ns["estimator"].fit(X[train], y[train])
    sk = score(metric, y[test], est.predict(X[test]))
    return hs, sk


def check_exports(hp, study, work, name, problems):
    """Exports the study in every format, loads each in pandas, and checks
    them against each other and the fold statistics; returns a table cell."""
    frames = {}
    for fmt in ("csv", "jsonl", "parquet"):
        out = os.path.join(work, f"{name}.{fmt}")
        sh([hp, "export", study, "--format", fmt, "--output", out])
        try:
            if fmt == "csv":
                frames[fmt] = pd.read_csv(out)
            elif fmt == "jsonl":
                frames[fmt] = pd.read_json(out, lines=True)
            else:
                try:
                    frames[fmt] = pd.read_parquet(out)
                except ImportError:
                    frames[fmt] = read_parquet_hyparquet(out, work)
                    parquet_via = " (parquet read by hyparquet: pandas has no parquet engine)"
        except Exception as e:  # noqa: BLE001 -- any failure to load is a finding
            problems.append(f"{name}: pandas cannot read the {fmt} export: {e}")
            frames[fmt] = None
    base = frames["csv"]
    if base is None:
        return "csv unreadable"
    if len(base) != TRIALS:
        problems.append(f"{name}: csv has {len(base)} rows, want {TRIALS}")
    folds = base[[f"fold_{k}" for k in range(FOLDS)]].to_numpy()
    done = base["state"] == "complete"
    if not np.allclose(folds[done].mean(axis=1), base.loc[done, "fold_mean"]) or \
            not np.allclose(folds[done].std(axis=1, ddof=0), base.loc[done, "fold_std"]):
        problems.append(f"{name}: fold_mean/fold_std disagree with the folds (ddof=0)")
    if not any(c.startswith("params_") for c in base.columns):
        problems.append(f"{name}: no params_ columns")
    cell = ["csv", ]
    for fmt in ("jsonl", "parquet"):
        f = frames[fmt]
        if f is None:
            continue
        if list(f.columns) != list(base.columns):
            problems.append(f"{name}: {fmt} columns differ from csv's")
            continue
        bad = [c for c in base.columns if not same_column(base[c], f[c])]
        if bad:
            problems.append(f"{name}: {fmt} differs from csv in {bad}")
        else:
            cell.append(fmt)
    return ", ".join(cell) + " ok" + (parquet_via if "parquet_via" in locals() else "")


def same_column(a, b):
    """Reports whether two loadings of one export column hold the same
    values: numbers within 1e-12, text equal, missing where missing."""
    if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
        b = pd.to_numeric(b)
        return bool(np.allclose(a.astype(float), b.astype(float), rtol=1e-12, atol=0, equal_nan=True))
    norm = lambda s: ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).lower() for v in s]
    return norm(a) == norm(b)


def read_parquet_hyparquet(path, work):
    """Reads a Parquet file with hyparquet (node) into a DataFrame, its
    64-bit integers (which JSON carries as strings) as numbers."""
    d = os.path.join(work, "hyparquet")
    if not os.path.isdir(os.path.join(d, "node_modules", "hyparquet")):
        os.makedirs(d, exist_ok=True)
        sh(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", d, HYPARQUET])
    script = os.path.join(d, "read.mjs")
    with open(script, "w") as f:
        f.write(HYPARQUET_READ)
    got = json.loads(sh(["node", script, path], cwd=d))
    return pd.DataFrame(got["rows"], columns=got["columns"])


if __name__ == "__main__":
    main()
