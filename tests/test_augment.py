"""The augmentations (augment.py): shapes, dtypes, the same views from the same seed, X never
changed, what each draws (the noise's spread, the masked share, the factors' range, shifts
that are rotations or translations), their configs, and the errors of bad parameters."""
import numpy as np
import pytest

from neuroclust import augment as A

ALL = [A.GaussianNoise(0.2), A.FeatureMask(0.3), A.RandomScaling(0.5, 1.5), A.Jitter(0.1),
       A.Scaling(0.2), A.TimeShift(5), A.CropResize(0.6), A.ImageShift(2, (8, 8), fill=-1.0),
       A.Compose([A.ImageShift(1), A.GaussianNoise(0.1)])]
NAMES = [type(a).__name__ for a in ALL]


@pytest.mark.parametrize("aug", ALL, ids=NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_and_no_mutation(aug, dtype):
    X = np.random.default_rng(0).normal(size=(20, 64)).astype(dtype)
    before = X.copy()
    Y = aug(X, np.random.default_rng(1))
    assert Y.shape == X.shape and Y.dtype == dtype
    np.testing.assert_array_equal(X, before)
    assert Y is not X and not np.shares_memory(X, Y)


@pytest.mark.parametrize("aug", ALL, ids=NAMES)
def test_the_same_seed_gives_the_same_views_and_another_seed_others(aug):
    X = np.random.default_rng(0).normal(size=(20, 64))
    np.testing.assert_array_equal(aug(X, 7), aug(X, np.random.default_rng(7)))
    assert not np.array_equal(aug(X, 7), aug(X, 8))


@pytest.mark.parametrize("aug", ALL, ids=NAMES)
def test_config_rebuilds_an_equal_augmentation(aug):
    again = A.from_config(type(aug).__name__, aug.config())
    assert again == aug and repr(again) == repr(aug)
    X = np.random.default_rng(0).normal(size=(4, 64))
    np.testing.assert_array_equal(again(X, 3), aug(X, 3))


def test_integers_become_float64():
    assert A.GaussianNoise()(np.ones((3, 4), dtype=int), 0).dtype == np.float64


def test_gaussian_noise_has_the_stated_spread():
    X = np.full((2000, 50), 3.0, dtype=np.float32)
    D = A.GaussianNoise(0.25)(X, 0) - X
    assert abs(D.mean()) < 0.01 and D.std() == pytest.approx(0.25, rel=0.02)
    assert A.GaussianNoise(0.0)(X, 0).tolist() == X.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gaussian_noise_is_normal_in_either_precision(dtype):
    """float32 data get Box-Muller draws, float64 data NumPy's: both standard normal."""
    from scipy import stats

    X = np.zeros((301, 333), dtype=dtype)                      # an odd number of values
    noise = A.GaussianNoise(1.0)(X, 3).ravel()
    assert noise.dtype == dtype and noise.size == X.size
    assert stats.kstest(noise, "norm").pvalue > 1e-3
    assert stats.skew(noise) == pytest.approx(0, abs=0.02)
    assert stats.kurtosis(noise) == pytest.approx(0, abs=0.05)  # normal tails
    assert len(np.unique(noise)) > 0.99 * noise.size             # no repeated pairs


def test_a_transform_that_makes_nan_stops_training_as_a_divergence():
    import warnings

    from neuroclust import DivergenceWarning, nn

    network = nn.Sequential([nn.Dense(4, 3, random_state=0)])
    X = np.random.default_rng(0).random((64, 4))
    before = network.params["0.W"].copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.train(network, nn.MeanSquaredError(), nn.SGD(0.1), X, X[:, :3], epochs=2,
                 batch_size=16, random_state=0, batch_transform=lambda batch: batch * np.nan)
    assert any(issubclass(w.category, DivergenceWarning) for w in caught)
    assert np.isfinite(network.params["0.W"]).all()
    assert np.array_equal(network.params["0.W"], before)


def test_feature_mask_zeroes_the_stated_share():
    X = np.ones((1000, 100))
    Y = A.FeatureMask(0.3)(X, 0)
    assert set(np.unique(Y)) <= {0.0, 1.0}
    assert np.mean(Y == 0) == pytest.approx(0.3, abs=0.01)


def test_random_scaling_factors_are_uniform_in_range():
    Y = A.RandomScaling(0.5, 1.5)(np.ones((500, 100)), 0)
    assert Y.min() >= 0.5 and Y.max() <= 1.5
    assert Y.mean() == pytest.approx(1.0, abs=0.01)
    assert Y.std() == pytest.approx(1 / np.sqrt(12), rel=0.03)


def test_scaling_multiplies_each_signal_by_one_factor():
    X = np.random.default_rng(0).uniform(1, 2, size=(3000, 2, 10))
    Y = A.Scaling(0.2)(X, 0)
    factors = Y / X
    np.testing.assert_allclose(factors, factors[:, :1, :1] * np.ones_like(X))
    assert factors[:, 0, 0].std() == pytest.approx(0.2, rel=0.05)


def test_time_shift_is_a_rotation_within_the_limit():
    X = np.tile(np.arange(12.0), (200, 1))
    Y = A.TimeShift(3)(X, 0)
    shifts = (Y[:, 0] * -1) % 12                  # where 0 went: Y[t] = X[(t - s) mod 12]
    for row, s in zip(Y, shifts.astype(int)):
        np.testing.assert_array_equal(row, np.roll(np.arange(12.0), s))
    assert set(((-shifts + 6) % 12 - 6).astype(int)) == {-3, -2, -1, 0, 1, 2, 3}


def test_time_shift_moves_all_channels_together():
    X = np.stack([np.arange(8.0), 10 + np.arange(8.0)])[None].repeat(5, axis=0)
    Y = A.TimeShift(4)(X, 1)
    np.testing.assert_array_equal(Y[:, 1] - Y[:, 0], 10)


def test_crop_resize_keeps_the_endpoints_of_a_full_window_and_stays_in_range():
    X = np.random.default_rng(0).normal(size=(50, 30))
    np.testing.assert_allclose(A.CropResize(1.0)(X, 0), X, atol=1e-12)
    line = np.tile(np.linspace(0, 1, 40), (100, 1))
    Y = A.CropResize(0.5)(line, 0)
    slopes = np.diff(Y, axis=1)
    assert np.all(slopes > 0)                                  # still increasing
    spans = Y[:, -1] - Y[:, 0]
    assert spans.min() >= 0.5 - 1e-9 and spans.max() <= 1 + 1e-9


def test_image_shift_translates_and_fills_the_border():
    image = np.zeros((8, 8))
    image[3:5, 3:5] = 1
    X = np.repeat(image.reshape(1, 64), 300, axis=0)
    Y = A.ImageShift(2, (8, 8))(X, 0).reshape(300, 8, 8)
    assert np.all(Y.sum(axis=(1, 2)) == 4)                    # the blob stays whole
    top = np.argmax(Y.sum(axis=2) > 0, axis=1)          # the blob's first row in each image
    left = np.argmax(Y.sum(axis=1) > 0, axis=1)
    assert set(top - 3) == set(left - 3) == {-2, -1, 0, 1, 2}
    edge = A.ImageShift(1, (8, 8), fill=-1.0)(np.ones((50, 64)), 0)
    assert -1.0 in edge and np.all((edge == 1) | (edge == -1))


def test_compose_applies_every_part():
    X = np.ones((500, 64))
    Y = A.Compose([A.FeatureMask(0.5), A.GaussianNoise(0.0)])(X, 0)
    assert np.mean(Y == 0) == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("make, match", [
    (lambda: A.GaussianNoise(-1), "std"),
    (lambda: A.GaussianNoise("0.1"), "std"),
    (lambda: A.FeatureMask(1.0), "p must"),
    (lambda: A.RandomScaling(1.2, 0.8), "high must be at least low"),
    (lambda: A.Scaling(float("nan")), "std"),
    (lambda: A.TimeShift(-1), "max_shift"),
    (lambda: A.TimeShift(1.5), "max_shift"),
    (lambda: A.CropResize(0), "min_fraction"),
    (lambda: A.ImageShift(1, shape=8), "shape must be a pair"),
    (lambda: A.ImageShift(1, shape=(8, 0)), "each size in shape"),
    (lambda: A.Compose(A.GaussianNoise()), "list of augmentations"),
    (lambda: A.Compose([np.sin]), "each entry of augmentations"),
])
def test_bad_parameters_are_refused_with_one_sentence(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("call, match", [
    (lambda: A.TimeShift(10)(np.ones((2, 10)), 0), "less than the signals' length"),
    (lambda: A.ImageShift(1, (8, 8))(np.ones((2, 10)), 0), "shape=\\(8, 8\\) needs 64"),
    (lambda: A.GaussianNoise()(np.array([[1.0, np.nan]]), 0), "X"),
    (lambda: A.GaussianNoise()(np.ones((2, 3)), "seed"), "rng"),
    (lambda: A.from_config("Nope", {}), "unknown augmentation"),
    (lambda: A.from_config("GaussianNoise", {"sigma": 1}), "does not accept"),
])
def test_bad_calls_are_refused_with_one_sentence(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("size", [1, 2, 3, 2 * A.NORMAL_BLOCK_PAIRS - 1, 2 * A.NORMAL_BLOCK_PAIRS,
                                  2 * A.NORMAL_BLOCK_PAIRS + 1, 5 * A.NORMAL_BLOCK_PAIRS + 3])
def test_float32_normals_fill_every_value_across_blocks(size):
    """Every value of an array of any length is drawn, the block boundaries included: no value
    left uninitialised and no block repeated."""
    from scipy import stats

    z = A._standard_normal_float32(np.random.default_rng(size), (size,))
    assert z.dtype == np.float32 and z.shape == (size,) and np.isfinite(z).all()
    assert np.abs(z).max() < 6.0
    assert len(np.unique(z)) > 0.99 * size     # (24-bit uniforms: a few chance collisions)
    if size > 1000:
        assert stats.kstest(z, "norm").pvalue > 1e-3
