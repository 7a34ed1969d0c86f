"""Train neurolab 0.3.5's competitive layer once; run by bench_competitive.py in its own venv.

neurolab does not import under NumPy 2, so this script runs in a virtual environment with
NumPy < 2 (see benchmarks/README.md). It does not import neuroclust.

Usage: ``python _neurolab_worker.py IN.npz OUT.npz``

IN holds ``X`` (n, d) float64, ``init`` (k, d), ``learning_rate``, ``learn_passes``.
OUT receives ``time_s`` (wall time of the training call only), ``centres`` (k, d),
``errors`` (neurolab's per-epoch error list), ``numpy_version``, ``neurolab_version``.
"""
import sys
import time

import numpy as np


def main(in_path, out_path):
    import neurolab
    from neurolab.core import Trainer
    from neurolab.train.wta import TrainWTA

    data = np.load(in_path)
    X = np.ascontiguousarray(data["X"], dtype=np.float64)
    init = np.array(data["init"], dtype=np.float64)
    learning_rate = float(data["learning_rate"])
    learn_passes = int(data["learn_passes"])

    class TrainWTAGivenInit(TrainWTA):
        """neurolab's TrainWTA, unchanged except that the starting weights are ``init``.

        TrainWTA.__init__ draws each unit's weights from a random sample (global NumPy RNG,
        with replacement); this puts the given array in their place afterwards, so that
        neurolab starts where neuroclust starts. ``learn`` and ``error`` are neurolab's own.
        """

        def __init__(self, net, input, lr=0.01):
            TrainWTA.__init__(self, net, input, lr=lr)
            net.layers[0].np["w"][:] = init

    train_wta_given_init = Trainer(TrainWTAGivenInit)

    minmax = np.stack([X.min(axis=0), X.max(axis=0)], axis=1).tolist()
    net = neurolab.net.newc(minmax, init.shape[0])
    # neurolab's Train loop computes the error, then stops once `epochs` errors are recorded,
    # *before* that epoch's learning pass: epochs=E gives E-1 passes over the data.
    start = time.perf_counter()
    errors = train_wta_given_init(net, X, epochs=learn_passes + 1, show=0, goal=-1.0,
                                  lr=learning_rate)
    elapsed = time.perf_counter() - start
    np.savez(out_path, time_s=elapsed, centres=np.array(net.layers[0].np["w"]),
             errors=np.array(errors, dtype=np.float64), numpy_version=np.__version__,
             neurolab_version=getattr(neurolab, "__version__", "0.3.5"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
