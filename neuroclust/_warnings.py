"""Warnings that teach: a fit that finished, but whose result has a flaw a student should
know about, with the setting that fixes it.

- :class:`DeadUnitsWarning`: units of a competitive layer that won no training sample
  (:class:`neuroclust.CompetitiveLearning`);
- :class:`EmptyClusterWarning`: a k-means cluster lost all its samples during the run that
  was kept, and was restarted elsewhere (:class:`neuroclust.KMeans`);
- :class:`OrderDependenceWarning`: Fuzzy ART's categories change with the order of the
  samples (:meth:`neuroclust.FuzzyART.order_dependence`).

Each is a ``UserWarning``: ``warnings.simplefilter("ignore", DeadUnitsWarning)`` silences one
kind, ``warnings.simplefilter("error", ...)`` makes it stop a script.
"""

__all__ = ["DeadUnitsWarning", "EmptyClusterWarning", "OrderDependenceWarning"]


class DeadUnitsWarning(UserWarning):
    """Some units won no training sample: their prototypes describe no data."""


class EmptyClusterWarning(UserWarning):
    """A cluster lost all its samples during training and was restarted elsewhere."""


class OrderDependenceWarning(UserWarning):
    """The result changes with the order in which the samples are presented."""
