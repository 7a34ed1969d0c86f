"""Map quality on real data: the UCI digits, neuroclust against MiniSom 2.3.6.

The 1,797 8x8 digit images (raw pixel values 0..16, the same array for both), a 10x10 map,
online training with the same initial prototypes, schedule and number of updates. Reported
for both: quantization error, topographic error, and the adjusted Rand index against the true
digits of the two-level clustering (k-means with 10 clusters on the 100 prototypes, each
sample labelled by the cluster of its best-matching unit). neuroclust does that itself
(``SOM(n_clusters=10)``); for MiniSom the benchmark runs scikit-learn's ``KMeans`` on its
weights. Target: neuroclust's map at least as good (medians over several seeds).

Run: ``python benchmarks/bench_som_digits.py``
"""
import _common  # first: sets the thread counts before NumPy loads

import numpy as np

from bench_som_online import map_quality, minisom_version

SHAPE = (10, 10)
SIGMA, LEARNING_RATE = 3.0, 0.5
PASSES = 20  # updates = PASSES * n_samples
N_CLUSTERS = 10
KMEANS_N_INIT = 10
QE_RTOL, TE_ATOL, ARI_ATOL = 0.01, 0.01, 0.02  # "as good", given the seed-to-seed spread


def load():
    import neuroclust

    X, y = neuroclust.datasets.load_digits()
    return np.ascontiguousarray(X, dtype=np.float64), y


def run(seeds=5):
    from minisom import MiniSom
    from sklearn.cluster import KMeans as SklearnKMeans
    from sklearn.metrics import adjusted_rand_score

    import neuroclust

    X, y = load()
    n_samples, n_features = X.shape
    n_updates = PASSES * n_samples
    units = SHAPE[0] * SHAPE[1]
    inits = [X[np.random.default_rng(seed).choice(n_samples, units, replace=False)].copy()
             for seed in range(seeds + 1)]  # seed 0: the warm-up pair
    state = {"ours": 0, "theirs": 0}
    ours_results, theirs_results = [], []

    def ours():
        seed = state["ours"]
        state["ours"] += 1
        model = neuroclust.SOM(
            shape=SHAPE, topology="rectangular", neighbourhood="gaussian", sigma=SIGMA,
            sigma_final=SIGMA / 3, learning_rate=LEARNING_RATE,
            learning_rate_final=LEARNING_RATE / 3, decay="inverse_time", mode="online",
            n_iterations=n_updates, init=inits[seed], n_clusters=N_CLUSTERS,
            record_history=False, random_state=seed, backend="cython")
        start = _common.time.perf_counter()
        model.fit(X)
        elapsed = _common.time.perf_counter() - start
        quality = map_quality(X, model.cluster_centers_, SHAPE)
        quality["ari"] = adjusted_rand_score(y, model.labels_)
        quality["own_te"] = model.topographic_error(X)
        quality["own_qe"] = model.quantization_error(X)
        ours_results.append(quality)
        return elapsed

    def theirs():
        seed = state["theirs"]
        state["theirs"] += 1
        som = MiniSom(SHAPE[0], SHAPE[1], n_features, sigma=SIGMA, learning_rate=LEARNING_RATE,
                      neighborhood_function="gaussian", topology="rectangular",
                      activation_distance="euclidean", random_seed=seed)
        som._weights = inits[seed].reshape(SHAPE[0], SHAPE[1], n_features).copy()
        start = _common.time.perf_counter()
        som.train_random(X, n_updates, verbose=False)
        prototypes = som.get_weights().reshape(units, n_features)
        unit_labels = SklearnKMeans(N_CLUSTERS, n_init=KMEANS_N_INIT,
                                    random_state=seed).fit(prototypes).labels_
        winners = np.array([np.ravel_multi_index(som.winner(x), SHAPE) for x in X])
        labels = unit_labels[winners]
        elapsed = _common.time.perf_counter() - start
        quality = map_quality(X, prototypes, SHAPE)
        quality["ari"] = adjusted_rand_score(y, labels)
        quality["own_te"] = som.topographic_error(X)
        quality["own_qe"] = som.quantization_error(X)
        theirs_results.append(quality)
        return elapsed

    ours_times, theirs_times = _common.alternate(ours, theirs, pairs=seeds, warmup=1)

    def stats(results, key):
        values = [r[key] for r in results[1:]]
        return _common.median(values), min(values), max(values)

    summary = {key: (stats(ours_results, key), stats(theirs_results, key))
               for key in ("qe", "te4", "te8", "ari")}
    (qe, _, _), (theirs_qe, _, _) = summary["qe"]
    (te, _, _), (theirs_te, _, _) = summary["te4"]
    (ari, _, _), (theirs_ari, _, _) = summary["ari"]
    as_good = (qe <= theirs_qe * (1 + QE_RTOL) and te <= theirs_te + TE_ATOL
               and ari >= theirs_ari - ARI_ATOL)

    def fmt(key, digits):
        (m, lo, hi), (tm, tlo, thi) = summary[key]
        return (f"neuroclust {m:.{digits}f} [{lo:.{digits}f}-{hi:.{digits}f}], "
                f"MiniSom {tm:.{digits}f} [{tlo:.{digits}f}-{thi:.{digits}f}]")

    own_te_match = max(abs(r["own_te"] - r["te4"]) for r in ours_results)
    own_qe_match = max(abs(r["own_qe"] - r["qe"]) for r in ours_results + theirs_results)
    check = (f"median [min-max] over {seeds} seeds: QE {fmt('qe', 3)}; TE (4-neighbour) "
             f"{fmt('te4', 3)}; TE (8-neighbour, MiniSom's definition) {fmt('te8', 3)}; "
             f"two-level ARI {fmt('ari', 3)}")
    row = _common.make_row(
        f"SOM on digits (1,797 x 64, raw pixels), {SHAPE[0]}x{SHAPE[1]} map, online, "
        f"{n_updates:,} updates, two-level clustering into {N_CLUSTERS}",
        f"`SOM(mode='online', n_clusters={N_CLUSTERS})`",
        f"MiniSom {minisom_version()} `train_random` + scikit-learn `KMeans` on its weights",
        ours_times, theirs_times, speedup=True,
        target="quality: QE, TE and ARI as good (medians)", met=as_good, check=check)
    notes = [
        f"SOM digits: the UCI digits bundled with neuroclust (the set scikit-learn ships), raw "
        f"pixels 0..16 for both; a 10x10 rectangular map, gaussian neighbourhood, sigma0 = "
        f"{SIGMA:g}, learning rate {LEARNING_RATE}, MiniSom's default asymptotic decay to a "
        f"third for both (neuroclust `decay='inverse_time'`), {PASSES} passes' worth of "
        f"single-sample updates ({n_updates:,}) in random order; the same initial prototypes "
        "(random samples, one set per seed) for both; each library's own seed for the order.",
        f"SOM digits, two-level clustering: k-means with {N_CLUSTERS} clusters and "
        f"n_init={KMEANS_N_INIT} on the 100 prototypes (neuroclust's own KMeans inside "
        "`SOM(n_clusters=10)`; scikit-learn's `KMeans` for MiniSom), each sample labelled by "
        "its best-matching unit's cluster; ARI against the true digits (scikit-learn's "
        "`adjusted_rand_score`). For scale: plain k-means on the raw pixels reaches about "
        "0.67 (n_init=10).",
        "SOM digits, measures: QE and both TEs are computed by the benchmark in the same way "
        "for both maps (float64, from each sample's two nearest prototypes). neuroclust's own "
        "`topographic_error` counts only side-by-side units as neighbours on a rectangular "
        f"grid (it matches the 4-neighbour column to {own_te_match:.0e}); MiniSom's own "
        "counts diagonal units too (grid distance <= 1.42), hence the two columns. The "
        f"libraries' own QEs match the common one to {own_qe_match:.0e}. 'As good' allows "
        f"{QE_RTOL:.0%} on QE, {TE_ATOL} on TE and {ARI_ATOL} on ARI (seed-to-seed spread).",
        f"SOM digits, time (for scale; no speed target): neuroclust's `fit` (training, "
        "k-means on the prototypes, final labelling) against MiniSom's `train_random` plus "
        f"scikit-learn's k-means and MiniSom's per-sample `winner` loop; {seeds} alternating "
        "pairs after one warm-up pair, one seed per pair.",
    ]
    return {"rows": [row], "notes": notes}


if __name__ == "__main__":
    _common.print_report("SOM on digits vs MiniSom", run())
