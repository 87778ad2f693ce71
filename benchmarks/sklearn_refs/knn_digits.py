"""Reference figures for trainers/knn on digits.csv (scikit-learn 1.2.1).

Run from the repository root:

    OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/sklearn_refs/knn_digits.py

It writes trainers/knn/testdata/digits_folds.csv (the fold of each row under
StratifiedKFold(5, shuffle=True, random_state=0)) and
trainers/knn/testdata/digits_sklearn_pred.csv (the out-of-fold prediction of
KNeighborsClassifier for each row, one file column per setting), and prints
per-fold accuracies and the time of the 5-fold cross-validation.
"""
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

data = np.loadtxt("/work/shared/datasets/digits.csv", delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1].astype(int)
cv = StratifiedKFold(5, shuffle=True, random_state=0)

fold = np.empty(len(y), dtype=int)
for f, (_, test) in enumerate(cv.split(X, y)):
    fold[test] = f
np.savetxt("trainers/knn/testdata/digits_folds.csv", fold, fmt="%d", header="fold", comments="")

settings = [
    ("k5_uniform_p2", dict(n_neighbors=5)),
    ("k5_distance_p2", dict(n_neighbors=5, weights="distance")),
    ("k5_uniform_p1", dict(n_neighbors=5, p=1)),
    ("k1_uniform_p2", dict(n_neighbors=1)),
    ("k100_distance_p2", dict(n_neighbors=100, weights="distance")),
]
preds = np.empty((len(y), len(settings)), dtype=int)
for s, (name, kw) in enumerate(settings):
    for train, test in cv.split(X, y):
        m = KNeighborsClassifier(algorithm="brute", **kw).fit(X[train], y[train])
        preds[test, s] = m.predict(X[test])
    print(name, "accuracy %.6f" % np.mean(preds[:, s] == y))
np.savetxt("trainers/knn/testdata/digits_sklearn_pred.csv", preds, fmt="%d", delimiter=",",
           header=",".join(n for n, _ in settings), comments="")

best = None
for _ in range(5):
    t = time.perf_counter()
    scores = cross_val_score(KNeighborsClassifier(n_neighbors=5), X, y, cv=cv)
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print("KNeighborsClassifier(n_neighbors=5) folds", np.round(scores, 6), "mean %.6f" % scores.mean())
print("5-fold cross_val_score seconds (best of 5): %.4f" % best)
