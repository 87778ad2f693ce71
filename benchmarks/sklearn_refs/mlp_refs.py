"""Reference scores and timings for trainers/mlp (scikit-learn 1.2.1).

Run: OMP_NUM_THREADS=1 /usr/bin/python3 mlp_refs.py
Protocol: 5-fold StratifiedKFold(shuffle=True, random_state=0) (KFold for
diabetes); StandardScaler fitted on each training fold; MLP defaults
(hidden_layer_sizes=(100,), relu, adam, lr 1e-3, alpha 1e-4, batch 200,
max_iter 200). Accuracy is averaged over random_state 0..4 because one
seed's score moves by about 0.005. Time is for all five folds, one seed.
"""
import time
import warnings
import numpy as np
import csv
from sklearn.model_selection import StratifiedKFold, KFold
from sklearn.preprocessing import StandardScaler
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.metrics import r2_score
from sklearn.exceptions import ConvergenceWarning

warnings.simplefilter("ignore", ConvergenceWarning)
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


def cv(name, make, regression=False):
    X, y = load(name)
    split = KFold(5, shuffle=True, random_state=0) if regression else StratifiedKFold(5, shuffle=True, random_state=0)
    means, times = [], []
    for seed in range(5):
        t0 = time.perf_counter()
        s = []
        for tr, te in split.split(X, y):
            sc = StandardScaler().fit(X[tr])
            m = make(seed).fit(sc.transform(X[tr]), y[tr])
            p = m.predict(sc.transform(X[te]))
            s.append(r2_score(y[te], p) if regression else np.mean(p == y[te]))
        times.append(time.perf_counter() - t0)
        means.append(np.mean(s))
    return float(np.mean(means)), float(np.min(means)), float(np.min(times))


print("mlp digits defaults: acc=%.4f (min over seeds %.4f) time=%.3fs" % cv("digits", lambda s: MLPClassifier(random_state=s)))
print("mlp digits (64,32) max_iter=50: acc=%.4f (min over seeds %.4f) time=%.3fs" % cv("digits", lambda s: MLPClassifier((64, 32), max_iter=50, random_state=s)))
print("mlp breast_cancer defaults: acc=%.4f (min over seeds %.4f) time=%.3fs" % cv("breast_cancer", lambda s: MLPClassifier(random_state=s)))
print("mlp diabetes lr=0.01 max_iter=500: r2=%.4f (min over seeds %.4f) time=%.3fs" % cv("diabetes", lambda s: MLPRegressor(learning_rate_init=0.01, max_iter=500, random_state=s), regression=True))
