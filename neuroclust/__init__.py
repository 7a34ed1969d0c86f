"""neuroclust: clustering with neural networks, from scratch, explained step by step.

>>> from neuroclust import CompetitiveLearning, datasets, metrics
>>> X, y = datasets.make_five_centroids(random_state=0)
>>> model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, conscience=True,
...                             random_state=0).fit(X)
>>> metrics.adjusted_rand_score(y, model.labels_) > 0.9     # each cloud found, none split
True

The conscience (DeSieno's) gives every unit its share of the wins; without it, a unit that
starts between two clouds can keep winning both while another unit wins nothing.
"""
from . import datasets, grid, metrics
from . import augment
from .base import DivergenceWarning, TrainingInterruptedWarning
from ._warnings import DeadUnitsWarning, EmptyClusterWarning, OrderDependenceWarning
from ._trace import StepTrace
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
           "DeadUnitsWarning", "EmptyClusterWarning", "OrderDependenceWarning", "StepTrace",
           "VariationalAutoencoder", "DEC", "SoftmaxAutoencoder",
           "augment",
           "ContrastiveClustering",
           "CNNI", "DBSCAN",
           "OPTICS"]
