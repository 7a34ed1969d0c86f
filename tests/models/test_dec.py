"""DEC and IDEC (neuroclust/models/dec.py): what they learn on blobs, the stopping rule, the
user's autoencoder left alone, dtypes, saving, bad input, divergence and callbacks.

Labels are used here only to *judge* a fitted model, never by the model. Where randomness
matters the claims are counted over seeds; the settings were fixed before any seed was run.
"""
import warnings

import numpy as np
import pytest

from neuroclust import DEC, Autoencoder, load, metrics
from neuroclust.base import DivergenceWarning, TrainingInterruptedWarning, clone

SEEDS = range(5)


def blobs(seed=0, n=300, n_features=8, k=3, spread=0.6):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3, size=(k, n_features))
    y = rng.integers(k, size=n)
    X = centres[y] + rng.normal(scale=spread, size=(n, n_features))
    return X, y


def small_autoencoder(seed=0, **params):
    settings = dict(hidden=(16,), latent_dim=2, epochs=30, batch_size=32, random_state=seed)
    settings.update(params)
    return Autoencoder(**settings)


def small_dec(seed=0, **params):
    settings = dict(autoencoder=small_autoencoder(seed), n_clusters=3, update_interval=10,
                    batch_size=32, max_iter=300, random_state=seed)
    settings.update(params)
    return DEC(**settings)


def entropy(Q):
    return float(np.mean(-np.sum(Q * np.log(np.maximum(Q, 1e-300)), axis=1)))


# ------------------------------------------------------------------ what it learns
def test_dec_does_not_lower_the_clustering_of_a_good_start():
    worse = 0
    for seed in SEEDS:
        X, y = blobs(seed)
        start = small_dec(seed, max_iter=1, update_interval=1000).fit(X)
        after = small_dec(seed).fit(X)
        before_ari = metrics.adjusted_rand_score(y, start.labels_)
        after_ari = metrics.adjusted_rand_score(y, after.labels_)
        assert before_ari > 0.8, (seed, before_ari)     # a good start, from the codes alone
        worse += after_ari < before_ari - 0.01
    assert worse == 0


def test_the_soft_assignments_sharpen():
    ratios = []
    for seed in SEEDS:
        X, _ = blobs(seed)
        start = small_dec(seed, max_iter=1, update_interval=1000).fit(X)
        after = small_dec(seed, tol=0.0).fit(X)
        ratios.append(entropy(after.predict_proba(X)) / entropy(start.predict_proba(X)))
    assert max(ratios) < 1 and np.mean(ratios) < 0.8, ratios   # q's entropy drops on each seed


def test_idec_keeps_the_reconstruction_lower_than_dec():
    for seed in SEEDS:
        X, _ = blobs(seed)
        dec = small_dec(seed, tol=0.0).fit(X)
        idec = small_dec(seed, tol=0.0, gamma=0.1).fit(X)
        assert (idec.autoencoder_.reconstruction_error(X).mean()
                < dec.autoencoder_.reconstruction_error(X).mean()), seed
        assert set(idec.history_) == {"loss", "kl", "reconstruction", "changed"}
        np.testing.assert_allclose(idec.history_["loss"],
                                   np.add(idec.history_["reconstruction"],
                                          0.1 * np.array(idec.history_["kl"])), rtol=1e-5)


# ------------------------------------------------------------------ the stopping rule
def test_training_stops_at_the_first_update_below_tol():
    X, _ = blobs(1)
    model = small_dec(1, tol=0.01, max_iter=5000).fit(X)
    changed = model.history_["changed"]
    assert model.converged_ and changed[-1] < 0.01
    assert all(share >= 0.01 for share in changed[1:-1])
    assert model.n_iter_ == 10 * (len(changed) - 1) < 5000


def test_tol_one_stops_at_the_first_update_and_tol_zero_runs_max_iter():
    X, _ = blobs(2)
    first = small_dec(2, tol=1.0).fit(X)
    assert first.converged_ and first.n_iter_ == 10 and len(first.history_["changed"]) == 2
    full = small_dec(2, tol=0.0, max_iter=57).fit(X)
    assert not full.converged_ and full.n_iter_ == 57
    assert len(full.history_["changed"]) == 1 + 57 // 10
    # epochs of 300 / 32 -> 10 steps: the sixth epoch ends after 7 of them
    assert len(full.history_["loss"]) == 6


# ------------------------------------------------------------- the given autoencoder
def test_a_fitted_autoencoder_is_copied_never_changed():
    X, _ = blobs(0)
    ae = small_autoencoder(0).fit(X)
    before = ae.parameters_.copy()
    model = DEC(ae, n_clusters=3, update_interval=10, max_iter=50, random_state=0).fit(X)
    np.testing.assert_array_equal(ae.parameters_, before)
    assert model.autoencoder_ is not ae
    assert not np.array_equal(model.autoencoder_.parameters_, before)    # it was trained
    assert model.autoencoder_.history_ == ae.history_     # the pretraining is not redone


def test_an_unfitted_autoencoder_is_pretrained_on_a_copy():
    X, _ = blobs(0)
    ae = small_autoencoder(0)
    model = DEC(ae, n_clusters=3, max_iter=5, random_state=0).fit(X)
    assert not hasattr(ae, "parameters_")
    assert len(model.autoencoder_.history_["loss"]) == 30


def test_pretraining_inside_equals_a_fitted_autoencoder_given():
    X, _ = blobs(0)
    inside = small_dec(0).fit(X)
    given = small_dec(0, autoencoder=small_autoencoder(0).fit(X)).fit(X)
    np.testing.assert_array_equal(inside.cluster_centers_, given.cluster_centers_)


def test_same_seed_same_model_and_labels_unused():
    X, y = blobs(3)
    a = small_dec(3).fit(X)
    b = small_dec(3).fit(X, y)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.autoencoder_.parameters_, b.autoencoder_.parameters_)


def test_default_autoencoder_runs():
    X, _ = blobs(0, n=60)
    model = DEC(n_clusters=3, max_iter=5, random_state=0).fit(X)
    assert model.autoencoder_.latent_dim_ == 10 and model.cluster_centers_.shape == (3, 10)


def test_a_conv1d_autoencoder_works():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 16))
    ae = Autoencoder(kind="conv1d", channels=(4,), kernel_size=3, latent_dim=2, epochs=2,
                     random_state=0)
    model = DEC(ae, n_clusters=2, max_iter=10, update_interval=2, gamma=0.1,
                random_state=0).fit(X)
    assert model.predict(X).shape == (40,)


# ------------------------------------------------------------------ queries and dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_queries_and_dtypes(dtype):
    X, _ = blobs(0)
    X = X.astype(dtype)
    model = small_dec(0, max_iter=30).fit(X)
    Q = model.predict_proba(X)
    assert Q.dtype == dtype and model.cluster_centers_.dtype == dtype
    np.testing.assert_allclose(Q.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    np.testing.assert_array_equal(model.fit_predict(X), model.labels_)
    assert model.transform(X).shape == (300, 2) and model.transform(X).dtype == dtype


def test_a_float64_autoencoder_on_float32_data_trains_in_float32():
    X, _ = blobs(0)
    ae = small_autoencoder(0).fit(X)
    model = DEC(ae, n_clusters=3, max_iter=20, random_state=0).fit(X.astype(np.float32))
    assert model.autoencoder_.parameters_.dtype == np.float32
    assert model.cluster_centers_.dtype == np.float32


@pytest.mark.parametrize("gamma", [None, 0.1])
def test_save_and_load_round_trip(tmp_path, gamma):
    X, _ = blobs(0)
    model = small_dec(0, max_iter=30, gamma=gamma).fit(X)
    again = load(model.save(tmp_path / "dec"))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert again.history_ == model.history_ and again.n_iter_ == model.n_iter_
    assert again.converged_ == model.converged_


def test_clone_gives_an_unfitted_copy():
    model = small_dec(0).fit(blobs(0)[0])
    copy = clone(model)
    assert not hasattr(copy, "cluster_centers_") and copy.get_params() == model.get_params()


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("params, match", [
    (dict(n_clusters=0), "n_clusters"), (dict(alpha=0), "alpha"), (dict(gamma=-1.0), "gamma"),
    (dict(update_interval=0), "update_interval"), (dict(tol=2.0), "tol"),
    (dict(max_iter=0), "max_iter"), (dict(batch_size=0), "batch_size"),
    (dict(optimizer="rmsprop"), "optimizer"), (dict(learning_rate=0), "learning_rate"),
    (dict(momentum=1.0), "momentum"), (dict(n_init=0), "n_init"),
    (dict(random_state="x"), "random_state"), (dict(verbose=-1), "verbose"),
    (dict(callbacks=[1]), "callbacks"), (dict(backend="gpu"), "backend"),
    (dict(autoencoder="ae"), "autoencoder"),
    (dict(autoencoder=Autoencoder(latent_dim=0)), "latent_dim"),
])
def test_bad_parameters_are_refused_before_any_work(params, match):
    ae = small_autoencoder(0)
    model = small_dec(0, **{"autoencoder": ae, **params})
    with pytest.raises(ValueError, match=match):
        model.fit(blobs(0)[0])
    assert not hasattr(model, "cluster_centers_") and not hasattr(ae, "parameters_")


@pytest.mark.parametrize("X, match", [
    (np.full((30, 8), np.nan), "NaN"), (np.zeros((2, 8)), "at least 3"),
    (np.zeros((0, 8)), "empty"), (np.zeros(8), "2-D|2 dimensions|one sample|dimension"),
])
def test_bad_data_is_refused(X, match):
    with pytest.raises(ValueError, match=match):
        small_dec(0).fit(X)


def test_a_fitted_autoencoder_of_another_width_is_refused():
    ae = small_autoencoder(0).fit(blobs(0)[0])
    with pytest.raises(ValueError, match="features"):
        DEC(ae, n_clusters=3).fit(blobs(0, n_features=5)[0])


def test_bce_idec_needs_data_in_the_unit_interval():
    X, _ = blobs(0)
    ae = small_autoencoder(0, loss="bce", output_activation="sigmoid").fit(np.clip(X, 0, 1))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        DEC(ae, n_clusters=3, gamma=0.1).fit(X)


def test_queries_before_fit_and_with_the_wrong_width():
    model = small_dec(0)
    with pytest.raises(ValueError, match="not fitted|fit"):
        model.predict(blobs(0)[0])
    model.fit(blobs(0)[0])
    with pytest.raises(ValueError, match="features"):
        model.predict_proba(np.zeros((3, 5)))


# ------------------------------------------------------- never lose work, callbacks
def test_a_diverging_fit_keeps_the_last_good_model():
    X, _ = blobs(0)
    model = small_dec(0, learning_rate=1e200, optimizer="sgd", tol=0.0)
    with pytest.warns(DivergenceWarning):
        model.fit(X)
    assert np.all(np.isfinite(model.cluster_centers_))
    assert np.all(np.isfinite(model.predict_proba(X)))


def test_callbacks_see_the_model_and_can_stop_it():
    X, _ = blobs(0)
    seen = []

    def callback(model, epoch):
        seen.append((epoch, model.predict_proba(X[:5]).shape))
        return epoch < 2

    model = small_dec(0, tol=0.0, callbacks=[callback]).fit(X)
    assert seen == [(0, (5, 3)), (1, (5, 3)), (2, (5, 3))]
    assert len(model.history_["loss"]) == 3 and not model.converged_


def test_verbose_runs(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small_dec(0, max_iter=20, verbose=2).fit(blobs(0)[0])
    captured = capsys.readouterr()
    assert "epoch 1/" in captured.err + captured.out


def test_ctrl_c_in_a_callback_keeps_a_usable_model():
    X, _ = blobs(0)

    def interrupt(model, epoch):
        if epoch == 2:
            raise KeyboardInterrupt

    with pytest.warns(TrainingInterruptedWarning):
        model = small_dec(0, tol=0.0, callbacks=[interrupt]).fit(X)
    assert len(model.history_["loss"]) == 3
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_a_rejected_refit_leaves_the_model_as_it_was():
    X, _ = blobs(0)
    model = small_dec(0, max_iter=20).fit(X)
    centres, labels = model.cluster_centers_.copy(), model.labels_.copy()
    with pytest.raises(ValueError, match="at least 3"):
        model.fit(X[:2])
    np.testing.assert_array_equal(model.cluster_centers_, centres)
    np.testing.assert_array_equal(model.predict(X), labels)


def test_works_in_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, _ = blobs(0)
    pipe = make_pipeline(StandardScaler(), small_dec(0, max_iter=20)).fit(X)
    np.testing.assert_array_equal(pipe.predict(X), pipe[-1].labels_)
