"""Reference scores for trainers/golearn (scikit-learn 1.2.1).

Run: OMP_NUM_THREADS=1 /usr/bin/python3 golearn_refs.py
Protocol: 5-fold StratifiedKFold(shuffle=True, random_state=rs), raw
features, scores averaged over rs = 0..4. bernoulli_nb is compared with
BernoulliNB(binarize=0.0) (golearn smooths with (n+1)/(N+1) rather than
sklearn's (n+1)/(N+2); the scores agree closely). id3 has no sklearn twin;
its nearest peer is a fully grown DecisionTreeClassifier(criterion="entropy"),
also averaged over its random_state 0..4 (sklearn breaks ties between
features at random). Time is one run of the five folds for rs=0.
"""
import csv
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import BernoulliNB
from sklearn.tree import DecisionTreeClassifier

D = "/work/shared/datasets/"


def load(name):
    with open(D + name + ".csv") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in r[:-1]] for r in rows])
    return X, np.array([r[-1] for r in rows])


def one(X, y, rs, make):
    s = []
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=rs).split(X, y):
        s.append(np.mean(make().fit(X[tr], y[tr]).predict(X[te]) == y[te]))
    return float(np.mean(s))


def cv(label, name, make):
    X, y = load(name)
    scores = [one(X, y, rs, make) for rs in range(5)]
    t0 = time.perf_counter()
    one(X, y, 0, make)
    print("%-40s %-13s mean=%.4f rs0=%.4f time=%.3fs" % (label, name, np.mean(scores), scores[0], time.perf_counter() - t0))


for name in ["digits", "breast_cancer", "iris", "wine"]:
    cv("bernoulli_nb binarize=0", name, lambda: BernoulliNB(binarize=0.0))
for name in ["digits", "breast_cancer", "iris", "wine"]:
    for seed in range(5):
        cv("id3 peer: DecisionTree(entropy) rs=%d" % seed, name, lambda: DecisionTreeClassifier(criterion="entropy", random_state=seed))
