"""DEC's clustering layer (neuroclust/nn/clustering.py): Student's t soft assignments, their
gradients against central differences, the target P, the KL gradient against the paper's
closed form and against PyTorch's autograd, dtypes and bad input."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.nn import ClusteringLayer, KLDivergence, Sequential, Dense, Tanh, gradcheck
from neuroclust.nn.clustering import dec_target, kl_gradients

TOL = 1e-6
FEW = settings(max_examples=20, deadline=None)
ALPHAS = [1.0, 0.5, 3.0]


def naive_q(Z, M, alpha):
    """Eq. (2) of ClusteringLayer written loop by loop."""
    n, K = len(Z), len(M)
    k = np.array([[(1 + np.sum((Z[i] - M[j]) ** 2) / alpha) ** (-(alpha + 1) / 2)
                   for j in range(K)] for i in range(n)])
    return k / k.sum(axis=1, keepdims=True)


def case(n, K, m, alpha, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, m))
    layer = ClusteringLayer(K, m, alpha=alpha, centers=rng.normal(size=(K, m)),
                            dtype=np.float64)
    return layer, Z, rng


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("shape", [(1, 1, 1), (5, 3, 2), (7, 4, 6), (3, 10, 1)])
def test_the_layer_passes_gradcheck(alpha, shape):
    layer, Z, _ = case(*shape, alpha, seed=sum(shape))
    errors = gradcheck(layer, Z)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("alpha", ALPHAS)
@FEW
@given(n=st.integers(1, 6), K=st.integers(1, 5), m=st.integers(1, 4),
       seed=st.integers(0, 2**32 - 1))
def test_the_layer_passes_gradcheck_on_random_shapes(alpha, n, K, m, seed):
    layer, Z, _ = case(n, K, m, alpha, seed)
    errors = gradcheck(layer, Z)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("alpha", ALPHAS)
def test_forward_is_the_student_t_kernel_normalised(alpha):
    layer, Z, _ = case(6, 4, 3, alpha, seed=1)
    Q = layer.forward(Z)
    np.testing.assert_allclose(Q, naive_q(Z, layer.params["centers"], alpha), rtol=1e-12)
    np.testing.assert_allclose(Q.sum(axis=1), 1, rtol=1e-12)


def test_far_codes_do_not_underflow():
    # with alpha = 100 the kernel (1 + d / 100)^-50.5 of d = 1e10 is 1e-404: below float64
    layer = ClusteringLayer(2, 1, alpha=100.0, centers=[[0.0], [1.0]], dtype=np.float64)
    Q = layer.forward(np.array([[1e5], [-1e5], [0.4]]))
    assert np.all(np.isfinite(Q)) and np.allclose(Q.sum(axis=1), 1)
    assert Q[0, 1] > 0.5 and Q[1, 0] > 0.5 and Q[2, 0] > Q[2, 1]


def test_dec_target_is_squared_q_over_the_cluster_frequency_normalised():
    rng = np.random.default_rng(0)
    Q = rng.dirichlet(np.ones(4), size=9)
    P = dec_target(Q)
    f = Q.sum(axis=0)
    naive = np.array([[Q[i, j] ** 2 / f[j] / sum(Q[i, l] ** 2 / f[l] for l in range(4))
                       for j in range(4)] for i in range(9)])
    np.testing.assert_allclose(P, naive, rtol=1e-12)
    # sharper than Q on average: a lower mean entropy per row
    entropy = lambda A: -np.sum(A * np.log(A), axis=1)   # noqa: E731
    assert np.mean(entropy(P)) < np.mean(entropy(Q))


def test_dec_target_keeps_dtype_and_handles_an_empty_cluster():
    Q = np.array([[0.7, 0.3, 0.0], [0.2, 0.8, 0.0]], dtype=np.float32)
    P = dec_target(Q)
    assert P.dtype == np.float32 and np.all(P[:, 2] == 0)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match="q must be non-negative"):
        dec_target(-Q)
    with pytest.raises(ValueError, match="row of zeros"):
        dec_target(np.zeros((2, 3)))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("shape", [(1, 2, 1), (8, 3, 2), (20, 5, 4)])
def test_the_kl_gradient_through_the_layer_is_the_papers_closed_form(alpha, shape):
    layer, Z, rng = case(*shape, alpha, seed=3)
    P = dec_target(rng.dirichlet(np.ones(shape[1]), size=shape[0]))
    loss = KLDivergence()
    loss.forward(layer.forward(Z), P)
    dZ = layer.backward(loss.backward())
    closed_dZ, closed_dM = kl_gradients(Z, layer.params["centers"], P, alpha)
    np.testing.assert_allclose(dZ, closed_dZ, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.grads["centers"], closed_dM, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_the_kl_gradient_matches_pytorch_autograd(alpha):
    torch = pytest.importorskip("torch")
    layer, Z, rng = case(12, 4, 3, alpha, seed=5)
    P = dec_target(rng.dirichlet(np.ones(4), size=12))
    loss = KLDivergence()
    value = loss.forward(layer.forward(Z), P)
    dZ = layer.backward(loss.backward())

    z = torch.tensor(Z, requires_grad=True)
    mu = torch.tensor(layer.params["centers"], requires_grad=True)
    p = torch.tensor(P)
    k = (1 + torch.cdist(z, mu) ** 2 / alpha) ** (-(alpha + 1) / 2)
    q = k / k.sum(dim=1, keepdim=True)
    reference = torch.nn.functional.kl_div(q.log(), p, reduction="batchmean")
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-10)
    np.testing.assert_allclose(dZ, z.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(layer.grads["centers"], mu.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_the_composite_network_passes_gradcheck():
    # an encoder with the clustering layer on top, as DEC trains it
    encoder = [Dense(5, 4, random_state=0, dtype=np.float64), Tanh(),
               Dense(4, 2, random_state=1, dtype=np.float64)]
    network = Sequential(encoder + [ClusteringLayer(3, 2, random_state=2, dtype=np.float64)])
    X = np.random.default_rng(0).normal(size=(6, 5))
    errors = gradcheck(network, X)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    layer = ClusteringLayer(3, 2, random_state=0, dtype=dtype)
    Q = layer.forward(np.random.default_rng(0).normal(size=(4, 2)))
    assert Q.dtype == dtype
    assert layer.backward(np.ones_like(Q)).dtype == dtype
    assert layer.grads["centers"].dtype == dtype


def test_config_rebuilds_the_architecture():
    layer = ClusteringLayer(3, 2, alpha=0.5, random_state=0)
    again = type(layer)(**layer.config())
    assert again.params["centers"].shape == (3, 2) and again.alpha == 0.5


def test_the_centres_given_are_copied():
    centers = np.zeros((2, 3))
    layer = ClusteringLayer(2, 3, centers=centers, dtype=np.float64)
    layer.params["centers"] += 1
    assert np.all(centers == 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_clusters=0, n_features=2), "n_clusters"),
    (dict(n_clusters=2, n_features=0), "n_features"),
    (dict(n_clusters=2, n_features=2, alpha=0), "alpha"),
    (dict(n_clusters=2, n_features=2, alpha=-1.0), "alpha"),
    (dict(n_clusters=2, n_features=2, centers=np.zeros((3, 2))), "centers has shape"),
    (dict(n_clusters=2, n_features=2, centers=[[np.nan, 0], [0, 0]]), "centers"),
    (dict(n_clusters=2, n_features=2, dtype=np.int64), "dtype"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClusteringLayer(**kwargs)


def test_bad_input_is_refused():
    layer = ClusteringLayer(2, 3, random_state=0)
    with pytest.raises(ValueError, match="backward was called before forward"):
        layer.backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="x has 2 features"):
        layer.forward(np.zeros((4, 2)))
    Q = layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="dy has shape"):
        layer.backward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="must be"):
        kl_gradients(np.zeros((4, 3)), np.zeros((2, 3)), Q[:3])
