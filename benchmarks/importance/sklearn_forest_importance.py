# The peer of BenchmarkForestImportance (internal/studycharts): scikit-learn
# fitting the same forest (50 trees, min_samples_leaf=2) on two thirds of
# 2,000 synthetic trials and permutation importance (3 repeats) on the rest.
import time, numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.inspection import permutation_importance
rng = np.random.default_rng(3)
n = 2000
x = 10 ** (rng.random(n) * 6 - 3); y2 = rng.random(n); kind = np.arange(n) % 2
X = np.column_stack([kind, np.log10(x), y2]); s = np.log10(x) + 0.01 * rng.standard_normal(n)
perm = rng.permutation(n); te = perm[2::3]; tr = np.setdiff1d(perm, te)
ts = []
for _ in range(10):
    t = time.perf_counter()
    m = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, random_state=16).fit(X[tr], s[tr])
    r = permutation_importance(m, X[te], s[te], n_repeats=3, random_state=16, scoring="neg_mean_squared_error")
    ts.append(time.perf_counter() - t)
print("sklearn fit+permutation, 2000 trials x 3 params: median %.1f ms" % (1000 * sorted(ts)[5]), r.importances_mean / s[te].var())
