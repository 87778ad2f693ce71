"""Reference outputs of scikit-learn 1.2.1 k-nearest neighbours on small
hand-made cases and on diabetes.csv, pasted into trainers/knn/knn_test.go
and written to trainers/knn/testdata/diabetes_sklearn_pred.csv.

    OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/sklearn_refs/knn_small.py
"""
import numpy as np
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

np.set_printoptions(precision=17, floatmode="unique", linewidth=200)

# Six training points on a plane, three classes; the second query row
# coincides with training row 2.
Xtr = np.array([[0, 0], [1, 0], [0, 2], [3, 1], [2, 2], [4, 4]], dtype=float)
ytr = np.array([0, 1, 1, 2, 0, 2])
Xq = np.array([[0.5, 0.5], [0, 2], [3, 3], [2.5, 0.2]], dtype=float)
yreg = np.array([1.5, -2.0, 3.25, 0.0, 7.0, 10.0])
for weights in ["uniform", "distance"]:
    for p in [1, 2]:
        c = KNeighborsClassifier(n_neighbors=3, weights=weights, p=p, algorithm="brute").fit(Xtr, ytr)
        r = KNeighborsRegressor(n_neighbors=3, weights=weights, p=p, algorithm="brute").fit(Xtr, yreg)
        print(f"weights={weights} p={p}")
        print("  proba", repr(c.predict_proba(Xq)))
        print("  class", c.predict(Xq))
        print("  regress", repr(r.predict(Xq)))

# diabetes: the first 350 rows train, the other 92 are predicted.
data = np.loadtxt("/work/shared/datasets/diabetes.csv", delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1]
cols, names = [], []
for weights in ["uniform", "distance"]:
    for p in [1, 2]:
        for k in [1, 7]:
            r = KNeighborsRegressor(n_neighbors=k, weights=weights, p=p, algorithm="brute").fit(X[:350], y[:350])
            cols.append(r.predict(X[350:]))
            names.append(f"k{k}_{weights}_p{p}")
np.savetxt("trainers/knn/testdata/diabetes_sklearn_pred.csv", np.array(cols).T, fmt="%.17g",
           delimiter=",", header=",".join(names), comments="")
