"""The clustering models, one per file, each readable top to bottom in the order it runs."""
from .art import ART1, FuzzyART
from .autoencoder import Autoencoder
from .competitive import CompetitiveLearning
from .dbscan import DBSCAN
from .dec import DEC
from .gng import GrowingNeuralGas
from .elbow import elbow
from .kmeans import KMeans
from .latent import LatentClustering
from .som import SOM
from .softmax_autoencoder import SoftmaxAutoencoder
from .vae import VariationalAutoencoder
from .contrastive import ContrastiveClustering
from .cnni import CNNI
from .optics import OPTICS

__all__ = ["CompetitiveLearning", "GrowingNeuralGas", "KMeans", "SOM", "FuzzyART", "ART1",
           "Autoencoder", "LatentClustering", "elbow",
           "VariationalAutoencoder",
           "DEC",
           "SoftmaxAutoencoder",
           "ContrastiveClustering",
           "CNNI",
           "DBSCAN",
           "OPTICS"]
