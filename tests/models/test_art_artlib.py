"""neuroclust's FuzzyART against artlib's, a test-only oracle, on the same data in the same order.

What corresponds, read from artlib 0.1.12 (``artlib/elementary/FuzzyART.py`` and
``artlib/common/BaseART.py``; the C++ ``artlib.optimized.backends.cpp.FuzzyART`` behaves the
same way):

- inputs: artlib's ``prepare_data`` scales each feature by the minimum and maximum of the data
  it is given (a constant feature becomes 0) and complement codes, ``[a, 1 - a]``; that is
  ``FuzzyART(scale=True, complement_coding=True)``, eqs. (1)-(2) of the class, with the same
  arithmetic, so both work on identical numbers;
- choice: ``|x ^ w| / (alpha + |w|)``, eq. (1) of ``reference.fuzzy_art_online``;
- search: artlib sorts the categories by decreasing choice, ties by increasing index, and takes
  the first that passes; ours ends at the same category, eqs. (2)-(3);
- vigilance: artlib's match is ``|x ^ w| / d`` with ``d`` the number of features before
  complement coding, compared ``>= rho`` (its default match tracking "MT+" with epsilon 0 and
  no ``match_reset_func`` reduces to that); ours divides by the computed ``|x|``, which is
  ``d`` up to rounding, eq. (3);
- learning: ``beta (x ^ w) + (1 - beta) w``, eq. (4); a new category's weight is the input,
  also when ``beta < 1``, eq. (5); the first sample commits the first category;
- order and epochs: artlib presents the rows in the order given (``shuffle=False``);
  ``fit(max_iter=k)`` starts from no category and makes ``k`` passes, labels from the last one,
  like ``epochs=k``; ours stops early once no sample changes category, and with fast learning
  the passes artlib makes after that change nothing;
- predict: artlib returns the category of largest choice (first maximum), which is
  ``predict(X)`` (``vigilance=False``).

Sums are taken in another order (artlib's numba loops add from left to right, ours in 16
lanes), so a decision could differ only where a choice or a match is within rounding of a tie
or of rho; on the data below none is, and the categories and weights are identical.
"""
import warnings

import numpy as np
import pytest

artlib = pytest.importorskip("artlib")

from neuroclust import FuzzyART, datasets  # noqa: E402


def artlib_models():
    models = [("python", artlib.FuzzyART)]
    try:
        from artlib.optimized.backends.cpp.FuzzyART import FuzzyART as CppFuzzyART
    except ImportError:  # the compiled backend is optional in artlib
        pass
    else:
        models.append(("c++", CppFuzzyART))
    return models


each_artlib = pytest.mark.parametrize("artlib_model", artlib_models(), ids=lambda m: m[0])


def data_sets():
    rng = np.random.default_rng(0)
    digits = datasets.load_digits()[0][:400]
    blobs = datasets.make_five_centroids(n_samples=400, random_state=1)[0]
    return {"uniform-2d": rng.random((400, 2)) * 6 - 2, "five-centroids": blobs,
            "digits": digits}


DATA = data_sets()


def fit_artlib(model_class, X, rho, alpha, beta, max_iter=1):
    model = model_class(rho=float(rho), alpha=float(alpha), beta=float(beta))
    prepared = model.prepare_data(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if max_iter == 1:
            model.fit(prepared)
        else:
            model.fit(prepared, max_iter=max_iter)
    return model, prepared


@each_artlib
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("rho, alpha, beta", [(0.75, 0.001, 1.0), (0.5, 0.1, 0.4),
                                              (0.9, 0.001, 1.0)])
def test_one_pass_gives_artlibs_categories_and_weights(artlib_model, name, rho, alpha, beta):
    X = DATA[name]
    theirs, _ = fit_artlib(artlib_model[1], X, rho, alpha, beta)
    ours = FuzzyART(rho=rho, alpha=alpha, beta=beta, scale=True, epochs=1).fit(X)
    assert ours.n_categories_ == len(theirs.W)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.weights_, np.array(theirs.W), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", list(DATA))
def test_training_to_convergence_gives_artlibs_passes(name):
    X = DATA[name]
    ours = FuzzyART(rho=0.7, scale=True, epochs=10).fit(X)
    n_epochs = len(ours.history_["n_changed"])
    assert ours.history_["n_changed"][-1] == 0 and n_epochs < 10
    theirs, prepared = fit_artlib(artlib.FuzzyART, X, 0.7, 0.001, 1.0, max_iter=n_epochs + 1)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_array_equal(ours.weights_, np.array(theirs.W))
    # artlib's predict is the choice alone: ours without the vigilance test.
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(prepared))
