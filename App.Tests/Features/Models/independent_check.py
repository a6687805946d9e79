"""Independent check of Signalbook's learners (App.Tests/Features/Models/IndependentCheckTests.cs runs this).

Usage: python3 independent_check.py train.csv test.csv '<json hyperparameters>'
CSV: a header of feature names then "y" (0/1); missing values are "nan".
Trains XGBoost (hist), scikit-learn HistGradientBoosting, RandomForest and LogisticRegression with the
hyperparameters the C# side used and prints one JSON object of train and test ROC AUCs.
Needs Debian's python3-xgboost and python3-sklearn (scripts/setup.sh installs them).
"""
import json
import sys

import numpy as np
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

train = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
test = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
p = json.loads(sys.argv[3])
x_train, y_train = train[:, :-1], train[:, -1].astype(int)
x_test, y_test = test[:, :-1], test[:, -1].astype(int)
g, rf, lr = p["gbdt"], p["rf"], p["logistic"]

models = {
    "xgboost": xgb.XGBClassifier(
        tree_method="hist", n_estimators=g["trees"], max_depth=g["depth"], learning_rate=g["eta"],
        reg_lambda=g["lambda"], min_child_weight=g["min_child_weight"], max_bin=256, subsample=1.0,
        colsample_bytree=1.0, n_jobs=2, random_state=0),
    "hist_gradient_boosting": HistGradientBoostingClassifier(
        max_iter=g["trees"], max_depth=g["depth"], max_leaf_nodes=None, learning_rate=g["eta"],
        l2_regularization=g["lambda"], min_samples_leaf=g["min_samples_leaf"], max_bins=255,
        early_stopping=False, random_state=0),
    "random_forest": RandomForestClassifier(
        n_estimators=rf["trees"], max_depth=rf["depth"], min_samples_leaf=rf["min_samples_leaf"],
        max_features="sqrt", bootstrap=True, n_jobs=2, random_state=0),
    # Standardise (NaN ignored when fitting), then a missing value becomes 0 = the training mean, as in C#.
    "logistic": make_pipeline(
        StandardScaler(), SimpleImputer(strategy="constant", fill_value=0.0),
        LogisticRegression(C=lr["C"], max_iter=2000)),
}
# scikit-learn's RandomForest cannot take NaN (before 1.4): impute the training median for it alone.
impute = SimpleImputer(strategy="median").fit(x_train)

result = {}
for name, model in models.items():
    xtr, xte = (impute.transform(x_train), impute.transform(x_test)) if name == "random_forest" else (x_train, x_test)
    model.fit(xtr, y_train)
    result[name] = {
        "train_auc": float(roc_auc_score(y_train, model.predict_proba(xtr)[:, 1])),
        "test_auc": float(roc_auc_score(y_test, model.predict_proba(xte)[:, 1])),
    }
print(json.dumps(result))
