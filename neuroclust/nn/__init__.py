"""The hand-written layer stack.

A layer has ``forward(x, training=False) -> y``, ``backward(dy) -> dx`` (which fills
``grads[name]`` for every ``params[name]``), and the dicts ``params`` and ``grads``. Layers
that learn by a local rule instead of a gradient also have ``update(x)``.

Everything here runs on NumPy or CuPy arrays alike (DESIGN.md: the same code on a GPU): a
layer moves its parameters to the array module of the data it is given, optimizers keep
their state beside the parameters, and random numbers (initial weights, Dropout masks, the
order of mini-batches) are drawn on the host, so a seed gives the same numbers everywhere.
"""
from .layer import Layer
from .competitive import Competitive
from .clustering import ClusteringLayer, dec_target
from .som import SelfOrganizingMap
from .dense import Dense
from .activations import Identity, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax
from .dropout import Dropout
from .variational import VariationalBottleneck
from .reshape import Flatten, Reshape
from .conv import Conv1D, ConvTranspose1D
from .pooling import MaxPool1D, AveragePool1D, GlobalAveragePool1D
from .losses import (Loss, MeanSquaredError, ShiftInvariantMSE, BinaryCrossEntropy,
                     SoftmaxCrossEntropy, KLDivergence)
from .gradcheck import gradcheck, check_gradients
from .optimizers import Optimizer, SGD, Adam
from .sequential import Sequential
from .training import train
from ._checks import data_already_checked
from .entropy import EntropyPenalty
from .contrastive import NTXentLoss
from .indices import SoftSilhouette, SoftCalinskiHarabasz

__all__ = ["Layer", "Competitive", "SelfOrganizingMap", "Dense", "Identity", "ReLU",
           "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "Flatten", "Reshape",
           "Conv1D", "ConvTranspose1D", "MaxPool1D", "AveragePool1D", "GlobalAveragePool1D",
           "Loss", "MeanSquaredError", "ShiftInvariantMSE", "BinaryCrossEntropy",
           "SoftmaxCrossEntropy", "KLDivergence",
           "ClusteringLayer", "dec_target",
           "gradcheck", "check_gradients", "Optimizer", "SGD", "Adam", "Sequential", "train",
           "VariationalBottleneck",
           "EntropyPenalty",
           "data_already_checked",
           "NTXentLoss",
           "SoftSilhouette", "SoftCalinskiHarabasz"]
