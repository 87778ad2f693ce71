"""Speed references for trainers/linear, trainers/mlp and trainers/knn.

Run from the repository root, single-threaded, next to the Go benchmarks:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \
        benchmarks/sklearn_refs/speed_refs.py [repeats]

For each family it times 5-fold StratifiedKFold(shuffle=True,
random_state=0) cross-validation on digits (1797x64, 10 classes): for
every fold, StandardScaler fitted on the training rows (where the family
scales by default), fit, and predict on the held-out rows. It prints the
minimum CPU time (time.process_time) and wall time over the repeats, which
are what the Go benchmarks' x_sklearn metrics should be compared with when
both run back to back on the same (shared, noisy) machine:

    logistic_regression  BenchmarkLogisticDigits5Fold   (trainers/linear)
    mlp                  BenchmarkDigits5Fold           (trainers/mlp)
    knn p=2 / p=1        BenchmarkDigitsCV5             (trainers/knn)

knn is timed on raw features, as its Go benchmark is: scaling does not
change the cost of brute-force search.
"""
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore", ConvergenceWarning)

data = np.loadtxt("/work/shared/datasets/digits.csv", delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1].astype(int)
folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
splits = [(X[tr], y[tr], X[te], y[te]) for tr, te in folds]


def run(make, scale):
    acc = []
    for Xtr, ytr, Xte, yte in splits:
        if scale:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        m = make().fit(Xtr, ytr)
        acc.append(np.mean(m.predict(Xte) == yte))
    return float(np.mean(acc))


families = [
    ("logistic_regression", lambda: LogisticRegression(C=1.0, max_iter=1000), True),
    ("mlp", lambda: MLPClassifier(random_state=0), True),
    ("knn_p2", lambda: KNeighborsClassifier(n_neighbors=5, algorithm="brute"), False),
    ("knn_p1", lambda: KNeighborsClassifier(n_neighbors=5, p=1, algorithm="brute"), False),
]

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
only = set(sys.argv[2:])
for name, make, scale in families:
    if only and name not in only:
        continue
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        acc = run(make, scale)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    print("%-20s acc %.4f  cpu min %.4fs  wall min %.4fs  (%d runs)" % (name, acc, min(cpu), min(wall), repeats))
