#!/usr/bin/env python3
"""A training script tuned by hpsearch through the command protocol.

Needs scikit-learn (Debian: apt-get install python3-sklearn). It trains a
linear classifier (SGDClassifier) on scikit-learn's digits for 20 epochs
and reports the validation accuracy after each one, so that hpsearch can
prune an unpromising trial early (early_stopping in sgd.yaml); the last
line is the result. Run it by hand with:

    echo '{"alpha": 0.0001, "loss": "hinge", "eta0": 0.01}' | python3 train.py
"""
import json
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

params = json.load(sys.stdin)  # the trial's parameters, one JSON object
seed = int(os.environ.get("HPSEARCH_SEED", "0")) % 2**32

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

model = SGDClassifier(alpha=params["alpha"], loss=params["loss"], learning_rate="constant",
                      eta0=params["eta0"], random_state=seed)
classes = np.unique(y)
rng = np.random.default_rng(seed)
for epoch in range(20):
    order = rng.permutation(len(X_train))
    model.partial_fit(X_train[order], y_train[order], classes=classes)
    accuracy = model.score(X_val, y_val)
    # An intermediate value: hpsearch may stop the script here (SIGTERM).
    print(json.dumps({"step": epoch, "score": accuracy}), flush=True)
    print(f"epoch {epoch}: validation accuracy {accuracy:.4f}")  # goes to the trial's log

print(json.dumps({"score": accuracy}))  # the result
