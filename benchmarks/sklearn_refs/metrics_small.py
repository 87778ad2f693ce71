"""Reference values of sklearn.metrics (scikit-learn 1.2.1) for the
hand-made cases of trainers/metrics/metrics_test.go. Prints one Go table
row per case; paste them into the test.

    OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/sklearn_refs/metrics_small.py
"""
import numpy as np
from sklearn import metrics as m

yt3 = [0, 1, 2, 2, 1, 0, 2, 1, 1]
yp3 = [0, 2, 2, 2, 1, 1, 0, 1, 2]
# Class 3 predicted but never true; classes 0..3.
yt4 = [0, 1, 2, 2, 1, 0]
yp4 = [0, 3, 2, 2, 1, 3]
P3 = np.array([
    [0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6], [0.0, 0.0, 1.0], [0.3, 0.4, 0.3],
    [0.4, 0.5, 0.1], [0.5, 0.1, 0.4], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]])
ytb = [0, 0, 1, 1, 0, 1, 1, 0]
# Ties in the scores, one of them across the classes, and a hard 0 and 1.
PB1 = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 1.0, 0.0])
PB = np.stack([1 - PB1, PB1], axis=1)
yr = [3.0, -0.5, 2.0, 7.0, 4.25]
pr = [2.5, 0.0, 2.0, 8.0, 3.0]


def row(name, value, case):
    print('\t{"%s", "%s", %s},' % (case, name, repr(float(value))))


row("accuracy", m.accuracy_score(yt3, yp3), "three")
row("balanced_accuracy", m.balanced_accuracy_score(yt3, yp3), "three")
row("f1_macro", m.f1_score(yt3, yp3, average="macro"), "three")
row("accuracy", m.accuracy_score(yt4, yp4), "four")
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    row("balanced_accuracy", m.balanced_accuracy_score(yt4, yp4), "four")
    row("f1_macro", m.f1_score(yt4, yp4, average="macro"), "four")
row("log_loss", m.log_loss(yt3, P3, labels=[0, 1, 2]), "three")
row("roc_auc", m.roc_auc_score(yt3, P3, multi_class="ovr", average="macro", labels=[0, 1, 2]), "three")
row("log_loss", m.log_loss(ytb, PB, labels=[0, 1]), "binary")
row("roc_auc", m.roc_auc_score(ytb, PB[:, 1]), "binary")
row("accuracy", m.accuracy_score(ytb, (PB1 > 0.5).astype(int)), "binary")
row("f1_macro", m.f1_score(ytb, (PB1 > 0.5).astype(int), average="macro"), "binary")
row("rmse", m.mean_squared_error(yr, pr, squared=False), "regression")
row("mae", m.mean_absolute_error(yr, pr), "regression")
row("r2", m.r2_score(yr, pr), "regression")
row("r2", m.r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]), "constant exact")
row("r2", m.r2_score([2.0, 2.0, 2.0], [2.0, 1.0, 2.0]), "constant missed")
# Hard probabilities: clipping at float64 machine epsilon (eps="auto").
row("log_loss", m.log_loss([0, 1, 1], [[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]], labels=[0, 1]), "clipped")
# Rows that do not sum to one are renormalized after clipping.
row("log_loss", m.log_loss([0, 1, 2], [[0.5, 0.25, 0.25], [0.2, 0.2, 0.2], [0.0, 1.0, 0.0]], labels=[0, 1, 2]), "unnormalized")
# A class absent from y_true among four labels.
row("log_loss", m.log_loss([0, 1, 1], [[0.6, 0.2, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]], labels=[0, 1, 2, 3]), "absent class")
