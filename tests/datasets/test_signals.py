"""Tests for neuroclust.datasets.make_signals: noisy sine, square and sawtooth time series."""
import numpy as np
import pytest

from neuroclust.datasets import SIGNAL_KINDS, make_signals


def test_shapes_dtypes_and_kind_names():
    X, y, kinds = make_signals(n_samples=90, length=50, random_state=0, return_kinds=True)
    assert X.shape == (90, 50) and X.dtype == np.float64 and np.isfinite(X).all()
    assert y.shape == (90,) and y.dtype == np.int64
    assert kinds == SIGNAL_KINDS == ("sine", "square", "sawtooth")
    X2, y2 = make_signals(n_samples=10, length=7, kinds=["sawtooth"], random_state=0)
    assert X2.shape == (10, 7) and set(y2) == {0}


def test_same_seed_same_data_other_seed_other_data():
    X1, y1 = make_signals(random_state=3)
    X2, y2 = make_signals(random_state=3)
    X3, _ = make_signals(random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    rng = np.random.default_rng(5)
    assert not np.array_equal(make_signals(random_state=rng)[0], make_signals(random_state=rng)[0])


@pytest.mark.parametrize("n_samples, expected", [(600, [200, 200, 200]), (100, [34, 33, 33])])
def test_classes_are_balanced_and_shuffled(n_samples, expected):
    _, y = make_signals(n_samples=n_samples, length=16, random_state=0)
    assert np.bincount(y).tolist() == expected
    assert not np.all(np.diff(y) >= 0)


def test_each_kind_has_its_shape_without_noise():
    X, y, kinds = make_signals(n_samples=300, noise=0.0, random_state=1, return_kinds=True)
    peak = np.abs(X).max(axis=1)
    assert peak.min() > 0.75 and peak.max() <= 1.2 + 1e-12              # amplitude ~ 1
    for k, name in enumerate(kinds):
        for x in X[y == k]:
            values = np.unique(np.round(np.abs(x), 12))
            if name == "square":                      # exactly two values, +-a
                assert values.size == 1 and set(np.sign(x)) == {-1.0, 1.0}
            else:
                assert values.size > 10
            if name == "sine":                        # smooth: small steps, mean ~ 0 over cycles
                assert np.abs(np.diff(x)).max() < 2 * np.pi * 6 * 1.2 / 128 + 1e-9
            if name == "sawtooth":                    # rises steadily, then drops by ~2a
                steps = np.diff(x)
                rises = steps[steps > 0]
                assert np.allclose(rises, rises[0])
                assert (steps < -1.0).sum() >= 1
    # the three kinds differ in how much of the time the signal stays near its peak
    near_peak = (np.abs(X) > 0.9 * peak[:, None]).mean(axis=1)
    means = [near_peak[y == k].mean() for k in range(3)]
    assert means[1] == 1.0 and means[0] < 0.35 and means[2] < 0.15


def test_noise_is_gaussian_with_the_given_std():
    clean, _ = make_signals(n_samples=60, random_state=2, noise=0.0)
    noisy, _ = make_signals(n_samples=60, random_state=2, noise=0.3)
    residual = noisy - clean
    assert abs(residual.std() - 0.3) < 0.01 and abs(residual.mean()) < 0.01


def test_frequency_fixed_or_drawn_from_a_range():
    X, y = make_signals(n_samples=60, noise=0.0, random_state=0)            # frequency=4
    peaks = np.abs(np.fft.rfft(X, axis=1)).argmax(axis=1)
    assert set(peaks) == {4}                       # every kind's fundamental: 4 cycles
    X, y = make_signals(n_samples=60, noise=0.0, frequency=(2, 6), random_state=0)
    peaks = np.abs(np.fft.rfft(X, axis=1)).argmax(axis=1)
    assert peaks.min() >= 2 and peaks.max() <= 6 and len(set(peaks)) >= 4
    X, y = make_signals(n_samples=30, noise=0.0, frequency=2.5, random_state=0)
    assert X.shape == (30, 128)


@pytest.mark.parametrize("kwargs, message", [
    (dict(frequency=0), "frequency must be > 0"),
    (dict(frequency=(3, 2)), r"frequency=\(low, high\) needs 0 < low <= high"),
    (dict(frequency="4"), "frequency must be a positive number or a \\(low, high\\) pair"),
    (dict(kinds=("sine", "triangle")), "kinds must be"),
    (dict(kinds=()), "kinds must be"),
    (dict(kinds=("sine", "sine")), "kinds must be"),
    (dict(n_samples=2), "n_samples"),
    (dict(length=1), "length"),
    (dict(noise=-0.1), "noise"),
    (dict(return_kinds="yes"), "return_kinds"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_signals(**kwargs)
