"""The clustering models, one per file, each readable top to bottom in the order it runs."""
from .art import ART1, FuzzyART
from .competitive import CompetitiveLearning
from .gng import GrowingNeuralGas
from .kmeans import KMeans
from .som import SOM

__all__ = ["CompetitiveLearning", "GrowingNeuralGas", "KMeans", "SOM", "FuzzyART", "ART1"]
