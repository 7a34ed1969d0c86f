r"""The contrastive loss of SimCLR: NT-Xent, the normalised temperature-scaled cross-entropy.

The files a reader follows, in order: ``models/contrastive.py`` (the estimator that trains on
this loss) -> ``augment.py`` (the two views) -> ``nn/contrastive.py`` (this loss) ->
``nn/training.py`` (the epoch loop and its ``batch_transform`` hook) ->
``docs/algorithms/contrastive.md`` -> ``tutorials/plot_10_contrastive_learning.py``.

A batch of :math:`N` samples is augmented twice; the network embeds the :math:`2N` views,
rows :math:`0 \dots N-1` the first views and rows :math:`N \dots 2N-1` the second ones, so
row :math:`i` and row :math:`i + N` come from the same sample. Each view must pick out its
twin among the :math:`2N - 1` other views: a classification with :math:`2N - 1` classes
whose scores are cosine similarities divided by a temperature.
"""
from .._validation import array_module, check_array, check_scalar
from .losses import Loss

__all__ = ["NTXentLoss"]


class NTXentLoss(Loss):
    r"""NT-Xent: each of the :math:`2N` embeddings must find its other view among the rest.

    ``prediction`` holds the :math:`2N` embeddings :math:`h_i`, shape (2N, n_features): the
    first views in rows :math:`0 \dots N-1`, the second views of the same samples in the same
    order in rows :math:`N \dots 2N-1`. ``target`` is not used (the row order says which
    rows pair up); it is accepted, and ignored, so that the loss fits
    :func:`~neuroclust.nn.train` and :func:`~neuroclust.nn.gradcheck`.

    Parameters
    ----------
    temperature : float > 0, default=0.5
        :math:`\tau` of eq. (2) (SimCLR's default for its CIFAR-10 runs is 0.5; smaller
        values weigh the hardest negatives more).
    eps : float > 0, default=1e-12
        The norm floor of eq. (1): a row shorter than ``eps`` (an all-zero embedding) is
        divided by ``eps`` instead of its norm, so the loss stays finite and its gradient is
        that of eq. (1)'s linear branch (as PyTorch's ``F.normalize`` does).

    Attributes
    ----------
    terms_ : dict
        After each ``forward``, ``{"alignment": a}``: the mean cosine similarity of the
        :math:`N` positive pairs, :math:`\frac1N \sum_i u_i \cdot u_{i+N}` (1 when every
        view coincides with its twin). :func:`~neuroclust.nn.train` records it per epoch.

    Notes
    -----
    Let :math:`\pi(i) = i + N` for :math:`i < N` and :math:`\pi(i) = i - N` otherwise (the
    other view). Each embedding is normalised to the unit sphere,

    .. math:: u_i = \frac{h_i}{\max(\|h_i\|, \epsilon)};                                \tag{1}

    the scores are the cosine similarities over :math:`\tau`, each view's similarity with
    itself masked out (:math:`-\infty`, so it gets no probability):

    .. math:: s_{ik} = \frac{u_i \cdot u_k}{\tau} \ (k \ne i), \qquad
              s_{ii} = -\infty;                                                          \tag{2}

    their softmax over each row, with :math:`m_i = \max_k s_{ik}` subtracted (it cancels),
    is the probability that view :math:`i` names :math:`k` as its twin,

    .. math:: p_{ik} = \frac{e^{s_{ik} - m_i}}{\sum_{l} e^{s_{il} - m_i}}
              \quad (p_{ii} = 0);                                                       \tag{3}

    and the loss is the mean cross-entropy of the right answer over the :math:`2N` rows,

    .. math:: L = \frac{1}{2N} \sum_{i=1}^{2N} \Big(m_i + \log \sum_{k \ne i}
              e^{s_{ik} - m_i} - s_{i\pi(i)}\Big).                                      \tag{4}

    **Gradient.** Eq. (4) is the softmax cross-entropy of row :math:`i` (eq. (2) of
    :class:`~neuroclust.nn.SoftmaxCrossEntropy`), so with :math:`\delta` the Kronecker delta

    .. math:: G_{ik} = \frac{\partial L}{\partial s_{ik}} = \frac{1}{2N}
              \big(p_{ik} - \delta_{k\pi(i)}\big), \qquad G_{ii} = 0.                  \tag{5}

    A unit vector :math:`u_j` enters row :math:`j` of :math:`S` (as :math:`u_j \cdot u_k`)
    and column :math:`j` (as :math:`u_i \cdot u_j`), so both sums reach it:

    .. math:: \frac{\partial L}{\partial u_j} = \frac1\tau \sum_k (G_{jk} + G_{kj})\, u_k,
              \qquad \text{i.e.} \quad \frac{\partial L}{\partial U} =
              \frac1\tau (G + G^\top)\, U.                                               \tag{6}

    Through eq. (1), with :math:`r_j = \|h_j\| > \epsilon`, the Jacobian
    :math:`\partial u_j / \partial h_j = (I - u_j u_j^\top) / r_j` removes the radial part
    (moving :math:`h_j` along itself does not move :math:`u_j`); with :math:`g_j =
    \partial L / \partial u_j`,

    .. math:: \frac{\partial L}{\partial h_j} = \frac{g_j - u_j\, (u_j \cdot g_j)}{r_j}
              \quad (r_j > \epsilon), \qquad \frac{g_j}{\epsilon} \quad
              (r_j \le \epsilon).                                                       \tag{7}

    The loss touches only the direction of each embedding, so the gradient of eq. (7) is
    orthogonal to :math:`h_j`, and its size falls as :math:`1/\|h_j\|`.

    References
    ----------
    T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A simple framework for contrastive
    learning of visual representations" (SimCLR), ICML 2020, eq. (1) and Algorithm 1.
    K. Sohn, "Improved deep metric learning with multi-class N-pair loss objective", NIPS 2016.
    """

    def __init__(self, temperature=0.5, eps=1e-12):
        super().__init__()
        self.temperature = check_scalar(temperature, "temperature", low=0, low_inclusive=False)
        self.eps = check_scalar(eps, "eps", low=0, low_inclusive=False)
        self.terms_ = None
        self._buffer = None

    def forward(self, prediction, target=None):
        """Eqs. (1) to (4); ``prediction`` of shape (2N, n_features), ``target`` ignored."""
        H = check_array(prediction, name="prediction", min_samples=2)
        two_n = H.shape[0]
        if two_n % 2:
            raise ValueError(f"prediction has {two_n} rows, but NT-Xent needs an even number: "
                             "the first views, then the second views of the same samples.")
        xp = array_module(H)
        n = two_n // 2
        norms = xp.sqrt(xp.sum(H * H, axis=1, keepdims=True))                    # (2N, 1)
        scale = xp.maximum(norms, H.dtype.type(self.eps))
        U = H / scale                                                             # eq. (1)
        # U @ U.T would take BLAS's symmetric product (syrk), about three times slower here
        # than a general product with a contiguous copy of U.T (2N x d, small)
        S = xp.matmul(U, xp.ascontiguousarray(U.T), out=self._similarity_buffer(xp, H))
        S *= H.dtype.type(1 / self.temperature)                                   # eq. (2)
        rows = xp.arange(two_n)
        S[rows, rows] = -xp.inf                                                   # eq. (2)
        partner = (rows + n) % two_n
        positives = S[rows, partner]
        largest = S.argmax(axis=1)
        m = S[rows, largest][:, None]
        S -= m                              # S becomes P in place: one 2N x 2N array, not three
        xp.exp(S, out=S)
        # the largest term is exp(0) = 1 exactly; the others are summed apart, so that the
        # log of the sum, log(1 + rest), keeps its digits when the rest is tiny (a loss near 0)
        S[rows, largest] = 0
        rest = S.sum(axis=1, keepdims=True)
        S[rows, largest] = 1
        P = S
        P /= 1 + rest                                                             # eq. (3)
        value = float(xp.sum(m[:, 0] - positives + xp.log1p(rest[:, 0])) / two_n)  # eq. (4)
        alignment = float(xp.sum(U[:n] * U[n:]) / n)
        self.terms_ = {"alignment": alignment}
        self._cache = (H, U, norms, P, partner)
        return value

    def _similarity_buffer(self, xp, H):
        """The 2N x 2N array that holds S, then P, reused from one batch to the next (a fresh
        one would be mapped and faulted in by the system at every batch). The cache of the
        previous forward, which held it, is replaced by this one's."""
        shape = (H.shape[0], H.shape[0])
        buffer = self._buffer
        if (buffer is None or buffer.shape != shape or buffer.dtype != H.dtype
                or array_module(buffer) is not xp):
            buffer = self._buffer = xp.empty(shape, dtype=H.dtype)
        return buffer

    def backward(self):
        """Eqs. (5) to (7), shape (2N, n_features)."""
        H, U, norms, P, partner = self._cached()
        xp = array_module(H)
        two_n = H.shape[0]
        # G = (P - E) / 2N with E the permutation matrix of the twins, eq. (5); E is its own
        # transpose (twin of twin is self), so (G + G^T) U = (P U + P^T U - 2 U[partner]) / 2N:
        # two products, no 2N x 2N temporary, and no transposed pass over P
        dU = P @ U
        dU += P.T @ U
        dU -= 2 * U[partner]                                                      # eq. (5)
        dU *= H.dtype.type(1 / (two_n * self.temperature))                        # eq. (6)
        radial = xp.sum(U * dU, axis=1, keepdims=True)
        eps = H.dtype.type(self.eps)
        dH = xp.where(norms > eps, (dU - U * radial) / xp.maximum(norms, eps),
                      dU / eps)                                                   # eq. (7)
        return dH.astype(H.dtype, copy=False)
