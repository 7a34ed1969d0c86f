"""The clustering models, one per file, each readable top to bottom in the order it runs."""
from .competitive import CompetitiveLearning
from .kmeans import KMeans
from .som import SOM

__all__ = ["CompetitiveLearning", "KMeans", "SOM"]
