"""NT-Xent (nn/contrastive.py): its value against a plain loop and PyTorch, its gradient
(gradcheck, float64, several batch sizes, widths and temperatures), its stability, the
all-zero row, the batch_transform hook of nn.train it trains through, and its errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust import nn
from neuroclust.nn import NTXentLoss, gradcheck

TOL = 1e-6
FEW = settings(max_examples=25, deadline=None)


def loop_loss(H, tau):
    """Eq. (4) written as the paper's sum, one row at a time."""
    two_n = len(H)
    U = H / np.linalg.norm(H, axis=1, keepdims=True)
    total = 0.0
    for i in range(two_n):
        j = (i + two_n // 2) % two_n
        others = [math.exp(U[i] @ U[k] / tau) for k in range(two_n) if k != i]
        total += -math.log(math.exp(U[i] @ U[j] / tau) / sum(others))
    return total / two_n


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0])
@FEW
@given(n=st.integers(1, 6), width=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_ntxent_passes_gradcheck(temperature, n, width, seed):
    H = np.random.default_rng(seed).normal(size=(2 * n, width))
    H[np.linalg.norm(H, axis=1) < 0.1] += 0.5          # away from the norm's kink at 0
    errors = gradcheck(NTXentLoss(temperature), H, H)
    assert errors["prediction"] < TOL, errors


def test_a_loss_near_zero_keeps_its_digits():
    """Each twin far ahead of the rest (tau = 0.1): the loss is about 7e-8, and computed as
    log(total) it kept only the digits of 1 + 7e-8, too few for finite differences (a relative
    gradient error of 2e-2, found by hypothesis); log1p of the rest keeps them."""
    H = np.random.default_rng(2540).normal(size=(4, 2))
    loss = NTXentLoss(0.1)
    value = loss.forward(H)
    assert 0 < value < 1e-7
    assert gradcheck(NTXentLoss(0.1), H, H)["prediction"] < TOL


@pytest.mark.parametrize("temperature", [0.1, 0.3, 1.0])
def test_a_dense_network_under_ntxent_passes_gradcheck(temperature):
    """The whole chain: the loss's gradient through an encoder and a projection head."""
    network = nn.Sequential([nn.Dense(4, 6, random_state=0, dtype=np.float64), nn.Tanh(),
                             nn.Dense(6, 3, random_state=1, dtype=np.float64)])
    x = np.random.default_rng(2).normal(size=(8, 4))
    loss = NTXentLoss(temperature)
    loss.forward(network.forward(x))
    network.backward(loss.backward())
    analytic = network.layers[0].grads["W"].copy()
    W = network.layers[0].params["W"]
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        saved = W[index]
        W[index] = saved + 1e-6
        plus = loss.forward(network.forward(x))
        W[index] = saved - 1e-6
        minus = loss.forward(network.forward(x))
        W[index] = saved
        numeric[index] = (plus - minus) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("n, width, tau", [(1, 3, 0.5), (3, 2, 0.1), (5, 4, 1.0)])
def test_the_value_is_the_papers_sum(n, width, tau):
    H = np.random.default_rng(n).normal(size=(2 * n, width))
    assert NTXentLoss(tau).forward(H) == pytest.approx(loop_loss(H, tau), rel=1e-12)


@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0])
def test_value_and_gradient_match_pytorch(tau):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    n, width = 6, 5
    H = np.random.default_rng(0).normal(size=(2 * n, width))
    loss = NTXentLoss(tau)
    value = loss.forward(H)
    Ht = torch.tensor(H, requires_grad=True)
    Z = F.normalize(Ht, dim=1)
    S = Z @ Z.T / tau
    S = S.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n) + n, torch.arange(n)])
    reference = F.cross_entropy(S, targets)
    reference.backward()
    assert value == pytest.approx(float(reference.detach()), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), Ht.grad.numpy(), rtol=1e-9, atol=1e-15)


def test_the_gradient_is_orthogonal_to_each_embedding():
    """The loss sees directions only (eq. (7)): scaling a row changes nothing."""
    H = np.random.default_rng(3).normal(size=(8, 4))
    loss = NTXentLoss(0.5)
    value = loss.forward(H)
    dH = loss.backward()
    np.testing.assert_allclose(np.sum(dH * H, axis=1), 0, atol=1e-14)
    scaled = H * np.array([[1], [10], [0.1], [3], [1], [1], [7], [2]])
    assert loss.forward(scaled) == pytest.approx(value, rel=1e-12)


def test_identical_views_far_from_the_rest_give_a_small_loss_and_full_alignment():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16))
    H = np.concatenate([centres, centres])
    loss = NTXentLoss(0.05)
    value = loss.forward(H)
    assert loss.terms_["alignment"] == pytest.approx(1.0)
    assert value < 0.01
    swapped = NTXentLoss(0.05).forward(np.concatenate([centres, centres[::-1]]))
    assert swapped > 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_temperatures_and_large_embeddings_stay_finite_and_keep_the_dtype(dtype):
    H = (np.random.default_rng(1).normal(size=(10, 3)) * 1e4).astype(dtype)
    loss = NTXentLoss(1e-4)
    assert math.isfinite(loss.forward(H))
    dH = loss.backward()
    assert dH.dtype == dtype and np.all(np.isfinite(dH))


def test_an_all_zero_row_is_handled_by_the_stated_floor():
    """A zero embedding is divided by eps (eq. (1)): its similarities are 0, the loss and the
    gradient finite, and both as PyTorch's F.normalize (the same floor) gives them."""
    H = np.random.default_rng(2).normal(size=(6, 3))
    H[1] = 0
    loss = NTXentLoss(0.5)
    value = loss.forward(H)
    dH = loss.backward()
    assert math.isfinite(value) and np.all(np.isfinite(dH))
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    Ht = torch.tensor(H, requires_grad=True)
    Z = F.normalize(Ht, dim=1, eps=loss.eps)
    S = (Z @ Z.T / 0.5).masked_fill(torch.eye(6, dtype=torch.bool), float("-inf"))
    reference = F.cross_entropy(S, torch.tensor([3, 4, 5, 0, 1, 2]))
    reference.backward()
    assert value == pytest.approx(float(reference.detach()), rel=1e-12)
    np.testing.assert_allclose(dH, Ht.grad.numpy(), rtol=1e-9)


def test_the_target_is_ignored():
    H = np.random.default_rng(4).normal(size=(6, 3))
    assert NTXentLoss().forward(H) == NTXentLoss().forward(H, np.zeros((6, 3)))


@pytest.mark.parametrize("rows", [1, 3, 7])
def test_an_odd_number_of_rows_is_refused(rows):
    with pytest.raises(ValueError, match="even number|at least"):
        NTXentLoss().forward(np.ones((rows, 2)))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "0.5", True])
def test_a_bad_temperature_is_refused(bad):
    with pytest.raises(ValueError, match="temperature"):
        NTXentLoss(bad)


def test_backward_before_forward_is_refused():
    with pytest.raises(ValueError, match="before forward"):
        NTXentLoss().backward()


def test_nan_embeddings_are_refused():
    H = np.ones((4, 2))
    H[0, 0] = np.nan
    with pytest.raises(ValueError, match="prediction"):
        NTXentLoss().forward(H)


def test_train_hands_each_batch_through_batch_transform():
    """nn.train's hook: the model sees what batch_transform returns (here two noisy views),
    the loss records its alignment per epoch, and training raises it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5))
    draws = np.random.default_rng(1)
    seen = []

    def views(batch):
        seen.append(len(batch))
        return np.concatenate([batch + 0.1 * draws.normal(size=batch.shape),
                               batch + 0.1 * draws.normal(size=batch.shape)])

    network = nn.Sequential([nn.Dense(5, 16, random_state=0, dtype=np.float64), nn.ReLU(),
                             nn.Dense(16, 8, random_state=1, dtype=np.float64)])
    history = nn.train(network, NTXentLoss(0.5), nn.Adam(1e-2), X, epochs=15, batch_size=16,
                       random_state=0, batch_transform=views)
    assert seen[:4] == [16, 16, 16, 16]
    assert len(history["alignment"]) == 15
    assert history["loss"][-1] < history["loss"][0]
    assert history["alignment"][-1] > history["alignment"][0]


def test_train_refuses_a_batch_transform_that_is_not_callable():
    network = nn.Sequential([nn.Dense(2, 2, random_state=0)])
    with pytest.raises(ValueError, match="batch_transform must be a function"):
        nn.train(network, NTXentLoss(), nn.Adam(), np.ones((4, 2)), batch_transform=3)


def test_backward_belongs_to_the_latest_forward_whatever_the_batch_sizes():
    """The similarity array is reused from batch to batch: a forward of another size, then the
    first batch again, gives the first batch's loss and gradient unchanged."""
    rng = np.random.default_rng(7)
    first, other = rng.standard_normal((8, 5)), rng.standard_normal((6, 5))
    loss = nn.NTXentLoss(0.3)
    value = loss.forward(first)
    gradient = loss.backward()
    assert np.array_equal(loss.backward(), gradient)          # backward can be repeated
    loss.forward(other)
    assert loss.backward().shape == other.shape
    assert loss.forward(first) == value
    np.testing.assert_array_equal(loss.backward(), gradient)
