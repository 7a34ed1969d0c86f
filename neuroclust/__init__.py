"""neuroclust: clustering with neural networks, from scratch, explained step by step.

>>> from neuroclust import CompetitiveLearning, datasets, metrics
>>> X, y = datasets.make_five_centroids(random_state=0)
>>> model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, random_state=0).fit(X)
"""
from . import datasets, grid, metrics
from . import augment
from .base import DivergenceWarning, TrainingInterruptedWarning
from .persistence import load
from .models import (ART1, DBSCAN, DEC, SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                     GrowingNeuralGas, KMeans, LatentClustering, SoftmaxAutoencoder,
                     VariationalAutoencoder, elbow)
from .models import ContrastiveClustering
from .models import CNNI
from .models import OPTICS
from ._validation import NotFittedError

__version__ = "0.1.0"

__all__ = ["datasets", "grid", "metrics", "CompetitiveLearning", "GrowingNeuralGas", "KMeans",
           "SOM", "FuzzyART", "ART1", "Autoencoder", "LatentClustering", "elbow", "load",
           "NotFittedError", "DivergenceWarning", "TrainingInterruptedWarning", "__version__",
           "VariationalAutoencoder", "DEC", "SoftmaxAutoencoder",
           "augment",
           "ContrastiveClustering",
           "CNNI", "DBSCAN",
           "OPTICS"]
