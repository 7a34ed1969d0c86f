"""scikit-learn's own estimator checks, run on every public estimator.

``sklearn.utils.estimator_checks.parametrize_with_checks`` makes one test per check and
estimator: the suite scikit-learn's users trust for "behaves like a scikit-learn estimator"
(clone, get/set_params, pickling, NotFittedError before fit, the messages for complex,
empty, sparse and 1-D input and for a changed feature count, dtypes kept, ...). The
estimators are small and trained for few epochs, so the whole file runs in seconds.

Every check passes except those in :data:`DEVIATIONS`, which run as strict expected
failures (a deviation that starts to pass fails the test, so the list stays true); the
same table, with the same reasons, is on the API page (docs/api.md, "Deviations from
scikit-learn's conventions"). scikit-learn is a test dependency only: neuroclust never
imports it (tests/test_validation.py checks that).
"""
import re
import warnings
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")
estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")

import neuroclust.models  # noqa: E402
from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART,  # noqa: E402
                        GrowingNeuralGas, KMeans, LatentClustering)
from neuroclust import VariationalAutoencoder  # noqa: E402
from neuroclust import DEC  # noqa: E402
from neuroclust import SoftmaxAutoencoder  # noqa: E402
from neuroclust import ContrastiveClustering  # noqa: E402
from neuroclust import CNNI  # noqa: E402
from neuroclust import DBSCAN  # noqa: E402
from neuroclust import OPTICS  # noqa: E402

if not hasattr(sklearn.utils, "Tags"):      # __sklearn_tags__ and expected_failed_checks
    pytest.skip("scikit-learn >= 1.6 is needed for its estimator checks of tagged "
                "estimators", allow_module_level=True)


def _small_autoencoder():
    return Autoencoder(hidden=(4,), latent_dim=2, epochs=2, batch_size=16, random_state=0)


#: Every public estimator, small and quick. FuzzyART takes any real data only with
#: ``scale=True`` (without it X must lie in [0, 1], which the checks' data does not).
ESTIMATORS = [
    KMeans(n_clusters=2, n_init=1, max_iter=10, random_state=0),
    CompetitiveLearning(n_clusters=2, epochs=2, random_state=0),
    SOM(shape=(2, 2), epochs=2, random_state=0),
    GrowingNeuralGas(max_nodes=4, epochs=2, random_state=0),
    FuzzyART(scale=True, epochs=2, random_state=0),
    ART1(epochs=2, random_state=0),
    _small_autoencoder(),
    LatentClustering(autoencoder=_small_autoencoder(), n_clusters=2, random_state=0),
    VariationalAutoencoder(hidden=(4,), latent_dim=2, epochs=2, batch_size=16, random_state=0),
    DEC(autoencoder=_small_autoencoder(), n_clusters=2, max_iter=4, update_interval=2,
        n_init=2, random_state=0),
    SoftmaxAutoencoder(n_clusters=2, hidden=(4,), epochs=2, batch_size=16, random_state=0),
    ContrastiveClustering(n_clusters=2, hidden=(4,), latent_dim=2, projection_dim=2, epochs=2,
                          batch_size=16, n_init=1, random_state=0),
    CNNI(n_clusters=2, hidden=(4,), epochs=2, batch_size=16, random_state=0),
    CNNI(n_clusters=2, hidden=(4,), index="mmj_silhouette", epochs=2, batch_size=16,
         random_state=0),
    DBSCAN(eps=0.5, min_samples=3),
    OPTICS(min_samples=3),
]

_OBJECT = ("neuroclust refuses arrays of dtype object, even of numbers, with a ValueError that "
           "says how to convert them (a Decimal or an int beyond 64 bits would silently lose "
           "digits); the check wants them converted, and a TypeError for a non-number.")
_BINARY = ("ART1 takes binary input only (0 and 1) and refuses other values with a sentence; "
           "the check fits on real-valued data, and scikit-learn has no tag for binary input.")

#: Check name -> why it fails, per estimator class name ("*": every estimator).
DEVIATIONS = {
    "*": {"check_dtype_object": _OBJECT},
    "ART1": dict.fromkeys([
        "check_dict_unchanged", "check_dont_overwrite_parameters", "check_estimators_dtypes",
        "check_estimators_fit_returns_self", "check_estimators_nan_inf",
        "check_estimators_overwrite_params", "check_estimators_pickle",
        "check_f_contiguous_array_estimator", "check_fit2d_1feature", "check_fit2d_1sample",
        "check_fit2d_predict1d", "check_fit_check_is_fitted", "check_fit_idempotent",
        "check_fit_score_takes_y", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_n_features_in",
        "check_n_features_in_after_fitting", "check_pipeline_consistency",
        "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
        "check_transformer_data_not_an_array", "check_transformer_general",
        "check_transformer_preserve_dtypes"], _BINARY),
}


def expected_failures(estimator):
    return {**DEVIATIONS["*"], **DEVIATIONS.get(type(estimator).__name__, {})}


def test_the_api_page_lists_every_deviation():
    page = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    section = page.split("## Deviations from scikit-learn's conventions")[1].split("\n## ")[0]
    rows = {line.split("|")[1]: line for line in section.splitlines()
            if line.startswith("| `check_")}
    listed = {(name, estimator) for row in rows for name in re.findall(r"`(check_\w+)`", row)
              for estimator in re.findall(r"`(\w+)`|all", rows[row].split("|")[2])}
    for estimator, checks in DEVIATIONS.items():
        for name in checks:
            assert (name, "" if estimator == "*" else estimator) in listed, (name, estimator)


def test_every_public_estimator_is_checked():
    public = {name for name in neuroclust.models.__all__
              if isinstance(getattr(neuroclust.models, name), type)}
    assert public == {type(estimator).__name__ for estimator in ESTIMATORS}


with warnings.catch_warnings():    # by design: scikit-learn is not a runtime dependency
    warnings.filterwarnings("ignore", "Estimator .* does not inherit from `sklearn.base."
                            "BaseEstimator`", UserWarning)
    each_check = estimator_checks.parametrize_with_checks(
        ESTIMATORS, expected_failed_checks=expected_failures, xfail_strict=True)


@each_check
def test_sklearn_estimator_check(estimator, check):
    check(estimator)
