"""Reference scores and timings for trainers/linear (scikit-learn 1.2.1).

Run: OMP_NUM_THREADS=1 /usr/bin/python3 linear_refs.py
Protocol: 5-fold StratifiedKFold(shuffle=True, random_state=rs) for
classification, KFold(5, shuffle=True, random_state=rs) for regression;
StandardScaler fitted on each training fold. "mean" is the CV score averaged
over rs = 0..4 (one split's score moves by up to 0.01 with the shuffle);
"rs0" is the score for random_state=0. Time is the best of 3 runs of all five
folds (fit + predict) for rs=0, single-threaded; "cpu" is process CPU time.
"""
import csv
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter is expected
D = "/work/shared/datasets/"


def load(name):
    with open(D + name + ".csv") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in r[:-1]] for r in rows])
    y = np.array([r[-1] for r in rows])
    try:
        y = y.astype(float)
    except ValueError:
        pass
    return X, y


def one(make, X, y, rs, regression):
    split = KFold(5, shuffle=True, random_state=rs) if regression else StratifiedKFold(5, shuffle=True, random_state=rs)
    s = []
    for tr, te in split.split(X, y):
        sc = StandardScaler().fit(X[tr])
        m = make().fit(sc.transform(X[tr]), y[tr])
        p = m.predict(sc.transform(X[te]))
        s.append(r2_score(y[te], p) if regression else np.mean(p == y[te]))
    return float(np.mean(s))


def cv(label, make, name, regression=False):
    X, y = load(name)
    scores = [one(make, X, y, rs, regression) for rs in range(5)]
    wall, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        one(make, X, y, 0, regression)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print("%-45s %-13s mean=%.4f rs0=%.4f time=%.3fs cpu=%.3fs" % (label, name, np.mean(scores), scores[0], min(wall), min(cpu)))


cv("logistic_regression C=1 max_iter=1000", lambda: LogisticRegression(C=1, max_iter=1000), "digits")
cv("logistic_regression C=1 max_iter=100", lambda: LogisticRegression(C=1, max_iter=100), "digits")
cv("logistic_regression C=1", lambda: LogisticRegression(C=1), "breast_cancer")
cv("linear_svm C=1 max_iter=1000 (LinearSVC)", lambda: LinearSVC(C=1, max_iter=1000, random_state=0), "digits")
cv("linear_svm C=1 (LinearSVC)", lambda: LinearSVC(C=1, random_state=0), "breast_cancer")
cv("ridge alpha=1", lambda: Ridge(alpha=1.0), "diabetes", regression=True)
cv("ridge alpha=100", lambda: Ridge(alpha=100.0), "diabetes", regression=True)
