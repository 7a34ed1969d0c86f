"""What the figure tests share: the Agg backend, closing every figure after each test, the data
sets several families draw, and the check that a figure saves as a real PNG."""
import matplotlib

matplotlib.use("Agg")  # before pyplot is imported by any test module

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from neuroclust import datasets  # noqa: E402
from neuroclust.plotting import save_figure  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def moons():
    """200 samples of the two moons: X (200, 2), y."""
    return datasets.make_moons(n_samples=200, random_state=0)


@pytest.fixture(scope="session")
def digits():
    """The first 300 digits: X (300, 64) with pixels 0 to 16, y."""
    X, y = datasets.load_digits()
    return X[:300], y[:300]


@pytest.fixture
def saved_png():
    """``check(figure, path, min_bytes=1000)``: save_figure writes a PNG of that size at path."""
    def check(figure, path, min_bytes=1000):
        assert save_figure(figure, path) == path
        assert path.is_file() and path.stat().st_size > min_bytes
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return check
