"""Models of every kind and the ways the tests of ``neuroclust.persistence`` alter their files.

The files are crafted with numpy, zipfile and json directly: ``contents_of`` reads one,
``altered`` writes a copy with a change applied, such as ``set_array("labels_", ...)``.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART, GrowingNeuralGas,
                        KMeans, LatentClustering, nn)
from neuroclust import VariationalAutoencoder
from neuroclust import DEC
from neuroclust import SoftmaxAutoencoder
from neuroclust import ContrastiveClustering, augment
from neuroclust import CNNI
from neuroclust import DBSCAN
from neuroclust import OPTICS


def blobs(n=60, seed=0):
    """Three blobs in [0, 1]^4 (so Fuzzy ART takes them without scaling)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.2, 0.2, 0.8, 0.5], [0.8, 0.3, 0.2, 0.5], [0.5, 0.8, 0.5, 0.2]])
    return np.clip(centres[rng.integers(0, 3, n)] + rng.normal(0, 0.05, (n, 4)), 0, 1)


def binary(n=60, seed=0):
    rng = np.random.default_rng(seed)
    patterns = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1]])
    return patterns[rng.integers(0, 3, n)].astype(float)


def signals(n=30, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2, 16))


def make_model(name):
    """(unfitted model, training data) for each kind of estimator a file can hold."""
    X = blobs()
    return {
        "KMeans": lambda: (KMeans(3, random_state=0), X),
        "CompetitiveLearning": lambda: (CompetitiveLearning(3, epochs=3, conscience=True,
                                                            conscience_bias=2.0,
                                                            random_state=0), X),
        "SOM": lambda: (SOM((3, 4), epochs=2, random_state=0), X),
        "SOM-clusters": lambda: (SOM((4, 3), topology="hexagonal", epochs=2, n_clusters=3,
                                     random_state=0), X),
        "GrowingNeuralGas": lambda: (GrowingNeuralGas(max_nodes=10, insert_every=20, epochs=3,
                                                      random_state=0), X),
        "FuzzyART": lambda: (FuzzyART(rho=0.6), X),
        "FuzzyART-scaled": lambda: (FuzzyART(rho=0.6, scale=True, complement_coding=False),
                                    X * 10 - 3),
        "ART1": lambda: (ART1(rho=0.5), binary()),
        "Autoencoder": lambda: (Autoencoder(hidden=(8,), latent_dim=2, epochs=2,
                                            random_state=0), X),
        "Autoencoder-conv1d": lambda: (Autoencoder(kind="conv1d", channels=(4,), kernel_size=3,
                                                   latent_dim=2, epochs=2, random_state=0),
                                       signals()),
        "Autoencoder-explicit": lambda: (Autoencoder(
            encoder=[nn.Dense(4, 3, random_state=0), nn.Tanh(), nn.Dense(3, 2, random_state=1)],
            decoder=[nn.Dense(2, 4, random_state=2)], epochs=2, dtype="float64",
            random_state=0), X),
        "LatentClustering": lambda: (LatentClustering(
            Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0), n_clusters=3,
            random_state=0), X),
        "VariationalAutoencoder": lambda: (VariationalAutoencoder(
            hidden=(8,), latent_dim=2, beta=0.5, epochs=2, random_state=0), X),
        "VariationalAutoencoder-explicit": lambda: (VariationalAutoencoder(
            encoder=[nn.Dense(4, 3, random_state=0), nn.Tanh(), nn.Dense(3, 4, random_state=1)],
            decoder=[nn.Dense(2, 4, random_state=2)], epochs=2, dtype="float64",
            random_state=0), X),
        "LatentClustering-VAE": lambda: (LatentClustering(
            VariationalAutoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
            n_clusters=3, random_state=0), X),
        "DEC": lambda: (DEC(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                            n_clusters=3, update_interval=3, max_iter=12, random_state=0), X),
        "IDEC": lambda: (DEC(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                             n_clusters=3, gamma=0.1, update_interval=3, max_iter=12,
                             random_state=0), X),
        "SoftmaxAutoencoder": lambda: (SoftmaxAutoencoder(n_clusters=3, hidden=(6,),
                                                          temperature=0.5, entropy_weight=0.1,
                                                          epochs=2, random_state=0), X),
        "ContrastiveClustering": lambda: (ContrastiveClustering(
            n_clusters=3, hidden=(6,), latent_dim=3, projection_dim=2, epochs=2, n_init=2,
            augment=augment.Compose([augment.GaussianNoise(0.2), augment.FeatureMask(0.1)]),
            random_state=0), X),
        "CNNI": lambda: (CNNI(n_clusters=3, hidden=(6,), index="mmj_silhouette", epochs=2,
                              random_state=0), X),
        "DBSCAN": lambda: (DBSCAN(eps=0.8, min_samples=3), X),
        "LatentClustering-DBSCAN": lambda: (LatentClustering(
            Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
            clusterer=DBSCAN(eps=0.5, min_samples=3)), X),
        "OPTICS": lambda: (OPTICS(min_samples=3), X),
        "OPTICS-dbscan": lambda: (OPTICS(min_samples=3, max_eps=2.0, cluster_method="dbscan",
                                         eps=0.8), X),
        "LatentClustering-OPTICS": lambda: (LatentClustering(
            Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
            clusterer=OPTICS(min_samples=3)), X),
    }[name]()


MODEL_NAMES = ["KMeans", "CompetitiveLearning", "SOM", "SOM-clusters", "GrowingNeuralGas",
               "FuzzyART", "FuzzyART-scaled", "ART1", "Autoencoder", "Autoencoder-conv1d",
               "Autoencoder-explicit", "LatentClustering",
               "VariationalAutoencoder", "VariationalAutoencoder-explicit",
               "LatentClustering-VAE",
               "DEC", "IDEC",
               "SoftmaxAutoencoder",
               "ContrastiveClustering",
               "CNNI",
               "DBSCAN", "LatentClustering-DBSCAN",
               "OPTICS", "OPTICS-dbscan", "LatentClustering-OPTICS"]


def queries(model):
    """The query methods a model has: predict and transform, where it has them."""
    return [name for name in ("predict", "transform") if callable(getattr(model, name, None))]


def contents_of(path):
    """(description, {key: array}) of a model file."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return json.loads(str(arrays.pop("__meta__"))), arrays


def write(path, meta, arrays, meta_text=None):
    np.savez(path, __meta__=np.array(meta_text or json.dumps(meta)), **arrays)
    return str(path)


def altered(saved, name, tmp_path, change):
    """A copy of the saved ``name`` model with ``change(meta, arrays)`` applied."""
    meta, arrays = contents_of(saved[name][0])
    change(meta, arrays)
    return write(tmp_path / f"altered-{name}.npz", meta, arrays)


def run_python(code, *args, timeout=60):
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def narrow_centres(meta, arrays):
    arrays["cluster_centers_"] = arrays["cluster_centers_"][:, :2].copy()


def set_array(name, value):
    def change(meta, arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value
    return change


def in_format_2(meta, arrays):
    """Make a saved file look as format 2 wrote it: the views stored too (a SOM's weights_, a
    growing neural gas's nodes_)."""
    meta["format_version"] = 2
    if meta["class"] == "SOM":
        rows, cols = meta["params"]["shape"]
        arrays["weights_"] = arrays["cluster_centers_"].reshape(rows, cols, -1).copy()
    elif meta["class"] == "GrowingNeuralGas":
        arrays["nodes_"] = arrays["cluster_centers_"].copy()


def format_2(*changes):
    """A change of a file made to look as format 2 wrote it: ``in_format_2``, then each of
    ``changes``."""
    def change(meta, arrays):
        in_format_2(meta, arrays)
        for each in changes:
            each(meta, arrays)
    return change


def set_attribute(name, value):
    return lambda meta, arrays: meta["attributes"].update({name: value})


def set_param(name, value):
    return lambda meta, arrays: meta["params"].update({name: value})


def drop_array(name):
    return lambda meta, arrays: arrays.pop(name)


def set_init(value):
    """Store ``value`` as the ``init`` parameter, as save writes an array parameter."""
    def change(meta, arrays):
        arrays["__param__init"] = value
        meta["array_params"].append("init")
        meta["params"]["init"] = None
    return change


def set_history(key, value):
    return lambda meta, arrays: meta["attributes"]["history_"].update({key: value})
