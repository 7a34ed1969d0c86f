"""Fixtures shared by the SOM estimator's tests (test_som.py, test_som_queries.py); a test
module that defines a fixture of the same name uses its own."""
import numpy as np
import pytest

from neuroclust import SOM, datasets


@pytest.fixture(scope="module")
def blobs():
    """The five 3-D centroids, tighter than the tutorials' (std 0.5): clearly separate."""
    return datasets.make_five_centroids(n_samples=250, cluster_std=0.5, random_state=0)


@pytest.fixture(scope="module")
def square():
    """400 points uniform in the unit square: the map should spread over it, in order."""
    return np.random.default_rng(0).random((400, 2))


@pytest.fixture(scope="module")
def fitted(blobs):
    return SOM(shape=(5, 6), epochs=4, random_state=0).fit(blobs[0])
