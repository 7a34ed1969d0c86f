"""Growing neural gas: clusters found on two moons and two circles, and the speed of an epoch.

Quality: ``GrowingNeuralGas`` with its defaults (Fritzke's parameters, 100 nodes at most, 20
epochs) on two moons and on two circles (``neuroclust.datasets``, 1,000 samples, noise 0.05),
given no number of clusters: the clusters are the connected components of the graph. Target:
an adjusted Rand index of at least 0.95 on every seed (the median and the minimum over the
seeds are reported, with ``n_clusters_`` and the number of nodes). MDP's GNG runs the same
fits on the first seeds, for comparison.

Speed: one epoch over 100,000 two-moons samples (2-D), against the GNG of MDP 3.6 (Modular
toolkit for Data Processing, ``mdp.nodes.GrowingNeuralGasNode``: a Python loop over the
samples), with the same parameters, the same two starting nodes and the same sample order;
and neuroclust's NumPy reference backend against its compiled kernel on the same steps (a
peer-free ratio; the reference is timed on a 10,000-sample slice of the epoch). Target: none,
the times are reported.

MDP 3.6 (``pip install MDP==3.6``) no longer imports under NumPy 2 as it is: this script
restores ``numpy.typeDict`` (removed in NumPy 1.24; MDP lists unsafe dtypes from it) and, for
the moment of the import only, puts a Python wrapper around ``numpy.linalg.eigh`` (MDP probes
its signature with ``inspect``, which fails on NumPy 2's dispatcher), and selects MDP's NumPy
backend (``MDPNUMX=numpy``). None of this touches the code its GNG runs.

Run: ``python benchmarks/bench_gng.py``
"""
import _common  # first: sets the thread counts before NumPy loads

import os

import numpy as np

PARAMS = {"max_nodes": 100, "insert_every": 100, "epsilon_b": 0.2, "epsilon_n": 0.006,
          "max_age": 50, "alpha": 0.5, "beta": 0.005}  # GrowingNeuralGas's defaults (Fritzke 1995)
EPOCHS = 20                   # GrowingNeuralGas's default
N_QUALITY, NOISE = 1_000, 0.05
QUALITY_SEEDS = 10            # neuroclust fits per data set
PEER_QUALITY_SEEDS = 3        # of which MDP also fits (and both are timed): MDP takes seconds
ARI_TARGET = 0.95
N_SPEED = 100_000
SPEED_PAIRS = 3               # alternating pairs of one epoch (MDP: about 20-40 s each)
REFERENCE_SLICE = 10_000      # samples the NumPy reference is timed on
REFERENCE_PAIRS = 3
KERNEL_REPEATS = 5            # kernel runs per slot for the compiled kernel (milliseconds each)
REPLICA_EPOCHS = 10           # epochs of the same-order check against MDP (moons, 1,000)
MDP_VERSION = "3.6"
MDP_REQUIREMENT = f"MDP=={MDP_VERSION}"


# ------------------------------------------------------------------------------------ the peer
def import_mdp():
    """``(mdp, None)``, or ``(None, reason)`` when MDP is missing or does not import."""
    os.environ.setdefault("MDPNUMX", "numpy")
    if not hasattr(np, "typeDict"):
        np.typeDict = np.sctypeDict  # removed in NumPy 1.24; MDP reads it at import
    eigh = np.linalg.eigh

    def eigh_with_signature(a, UPLO="L"):  # MDP inspects eigh's arguments at import
        return eigh(a, UPLO)

    np.linalg.eigh = eigh_with_signature
    try:
        import mdp
    except Exception as error:  # ImportError, or whatever else a newer NumPy breaks
        return None, (f"MDP does not import ({type(error).__name__}: {error}); install it with "
                      f"`pip install {MDP_REQUIREMENT}`")
    finally:
        np.linalg.eigh = eigh
    return mdp, None


def mdp_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("MDP")
    except PackageNotFoundError:
        return None


def make_mdp(mdp, X, first, second):
    """MDP's GNG with the parameters of ``PARAMS``, starting from the samples ``first`` and
    ``second`` (``start_poss``; MDP joins the two starting nodes by an edge)."""
    return mdp.nodes.GrowingNeuralGasNode(
        start_poss=[X[first].copy(), X[second].copy()], eps_b=PARAMS["epsilon_b"],
        eps_n=PARAMS["epsilon_n"], max_age=PARAMS["max_age"], lambda_=PARAMS["insert_every"],
        alpha=PARAMS["alpha"], d=1.0 - PARAMS["beta"], max_nodes=PARAMS["max_nodes"])


def make_mdp_fritzke(mdp, X, first, second):
    """MDP's GNG changed in the two rules where it departs from Fritzke (1995) and neuroclust,
    and started like neuroclust (two nodes, no edge): for the same-order check only.

    MDP adds the *distance* ``sqrt(d2)`` to the winner's error (Fritzke: the squared distance)
    and gives a new node the mean of its parents' errors (Fritzke: ``E_q`` after the scaling).
    ``_get_nearest_nodes`` here returns the squared distances squared, so MDP's ``sqrt`` gives
    back the squared distance exactly (``sqrt(fl(d * d)) == d`` in binary floating point).
    """
    base = mdp.nodes.GrowingNeuralGasNode

    class FritzkeGNG(base):
        def _get_nearest_nodes(self, x):
            nodes, distances = super()._get_nearest_nodes(x)
            return nodes, distances * distances

        def _insert_new_node(self):
            errors = [node.data.cum_error for node in self.graph.nodes]
            q = self.graph.nodes[int(np.argmax(errors))]
            super()._insert_new_node()
            self.graph.nodes[-1].data.cum_error = q.data.cum_error

    node = FritzkeGNG(eps_b=PARAMS["epsilon_b"], eps_n=PARAMS["epsilon_n"],
                      max_age=PARAMS["max_age"], lambda_=PARAMS["insert_every"],
                      alpha=PARAMS["alpha"], d=1.0 - PARAMS["beta"],
                      max_nodes=PARAMS["max_nodes"], input_dim=X.shape[1], dtype=X.dtype)
    node._add_node(X[first].copy())
    node._add_node(X[second].copy())
    return node


def mdp_graph(node):
    """Node positions, edges (index pairs) and the component of every node of an MDP GNG."""
    nodes = node.graph.nodes
    index = {graph_node: i for i, graph_node in enumerate(nodes)}
    positions = np.array([graph_node.data.pos for graph_node in nodes])
    edges = np.array([sorted((index[e.head], index[e.tail])) for e in node.graph.edges],
                     dtype=np.int64).reshape(-1, 2)
    components = np.empty(len(nodes), dtype=np.int64)
    for label, members in enumerate(node.graph.connected_components()):
        components[[index[m] for m in members]] = label
    return positions, edges, components


def mdp_labels(node, X):
    """The component of each sample's nearest node (as neuroclust's ``labels_``), the number
    of components and of nodes. Computed here with NumPy from MDP's graph (its own
    ``nearest_neighbor`` loops in Python; the result is the same)."""
    positions, _, components = mdp_graph(node)
    nearest = ((X[:, None, :] - positions[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    return components[nearest], int(components.max()) + 1, len(positions)


# ---------------------------------------------------------------------------------- shared steps
def start_and_orders(n_samples, seed, epochs):
    """The two starting samples and the epoch orders of ``GrowingNeuralGas(random_state=seed)``
    (read in ``neuroclust/models/gng.py``: ``rng.choice(n, 2, replace=False)`` for the start,
    then one ``rng.permutation(n)`` per epoch, from ``np.random.default_rng(seed)``)."""
    rng = np.random.default_rng(seed)
    first, second = (int(i) for i in rng.choice(n_samples, size=2, replace=False))
    return first, second, [rng.permutation(n_samples) for _ in range(epochs)]


def initial_state(X, first, second):
    """The kernel's arrays for two nodes at two samples, no edge, no error."""
    max_nodes = PARAMS["max_nodes"]
    W = np.zeros((max_nodes, X.shape[1]), dtype=X.dtype)
    W[0], W[1] = X[first], X[second]
    return {"W": W, "error": np.zeros(max_nodes),
            "age": np.full((max_nodes, max_nodes), -1, dtype=np.int64), "n_nodes": 2,
            "n_steps": 0}


def copy_state(state):
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in state.items()}


def run_kernel(kernel, X, state, order):
    """One call of a ``gng_online`` kernel on ``state`` (updated in place)."""
    state["n_nodes"], state["n_steps"] = kernel(
        X, state["W"], state["error"], state["age"], state["n_nodes"], state["n_steps"], order,
        PARAMS["epsilon_b"], PARAMS["epsilon_n"], PARAMS["max_age"], PARAMS["insert_every"],
        PARAMS["alpha"], PARAMS["beta"])
    return state


def state_edges(state):
    n = int(state["n_nodes"])
    first, second = np.nonzero(np.triu(state["age"][:n, :n] >= 0, k=1))
    return np.column_stack([first, second])


def quantization_error(X, nodes):
    """Mean Euclidean distance to the nearest node (float64, the same measure for both)."""
    X, nodes = np.asarray(X, dtype=np.float64), np.asarray(nodes, dtype=np.float64)
    total = 0.0
    for start in range(0, len(X), 8192):
        block = X[start:start + 8192]
        squared = ((block[:, None, :] - nodes[None, :, :]) ** 2).sum(axis=2)
        total += np.sqrt(squared.min(axis=1)).sum()
    return total / len(X)


def same_graph(positions_a, edges_a, positions_b, edges_b):
    """How far two graphs are from the same one, whatever the numbering of their nodes: the
    largest distance from a node of ``a`` to the nearest node of ``b``, and whether the edges
    agree once each node of ``a`` is mapped to that nearest node."""
    if len(positions_a) != len(positions_b):
        return np.inf, False
    distances = ((positions_a[:, None, :] - positions_b[None, :, :]) ** 2).sum(axis=2)
    mapping = distances.argmin(axis=1)
    gap = float(np.sqrt(distances.min(axis=1)).max())
    mapped = {tuple(sorted((int(mapping[i]), int(mapping[j])))) for i, j in edges_a}
    theirs = {tuple(sorted(map(int, edge))) for edge in edges_b}
    return gap, len(set(mapping.tolist())) == len(mapping) and mapped == theirs


def ari_summary(values):
    return f"{_common.median(values):.3f} [min {min(values):.3f}]"


def counts(values):
    """``{2: 10}`` as "2 (x10)"; several values as "2 (x9), 3 (x1)"."""
    unique, number = np.unique(values, return_counts=True)
    return ", ".join(f"{u} (x{c})" for u, c in zip(unique.tolist(), number.tolist()))


# ---------------------------------------------------------------------------------- quality rows
def quality_row(name, make, mdp, skip_reason):
    from sklearn.metrics import adjusted_rand_score

    import neuroclust

    data = [make(n_samples=N_QUALITY, noise=NOISE, random_state=seed)
            for seed in range(QUALITY_SEEDS)]
    ours = {"ari": [], "k": [], "nodes": []}
    theirs = {"ari": [], "k": [], "nodes": []}
    slot = {"ours": 0, "theirs": 0}

    def fit_ours(seed):
        X, y = data[seed]
        model = neuroclust.GrowingNeuralGas(**PARAMS, epochs=EPOCHS, random_state=seed,
                                            backend="cython")
        start = _common.time.perf_counter()
        model.fit(X)
        elapsed = _common.time.perf_counter() - start
        ours["ari"].append(adjusted_rand_score(y, model.labels_))
        ours["k"].append(model.n_clusters_)
        ours["nodes"].append(len(model.nodes_))
        return elapsed

    def ours_slot():
        slot["ours"] += 1
        return fit_ours(slot["ours"] - 1)

    def theirs_slot():
        seed = slot["theirs"]
        slot["theirs"] += 1
        X, y = data[seed]
        first, second, orders = start_and_orders(len(X), seed, EPOCHS)
        node = make_mdp(mdp, X, first, second)
        batches = [np.ascontiguousarray(X[order]) for order in orders]
        start = _common.time.perf_counter()
        for batch in batches:
            node.train(batch)
        elapsed = _common.time.perf_counter() - start
        labels, k, n_nodes = mdp_labels(node, X)
        theirs["ari"].append(adjusted_rand_score(y, labels))
        theirs["k"].append(k)
        theirs["nodes"].append(n_nodes)
        return elapsed

    benchmark = (f"GNG clusters, {name} ({N_QUALITY:,} x 2, noise {NOISE}), {EPOCHS} epochs, "
                 f"number of clusters not given")
    ours_label = f"`GrowingNeuralGas(random_state=seed)` (defaults: {PARAMS['max_nodes']} nodes)"
    target = f"ARI >= {ARI_TARGET} on every seed (from the components)"
    if mdp is not None:
        ours_times, theirs_times = _common.alternate(ours_slot, theirs_slot,
                                                     pairs=PEER_QUALITY_SEEDS, warmup=0)
    else:
        ours_times, theirs_times = [ours_slot() for _ in range(PEER_QUALITY_SEEDS)], None
    for seed in range(PEER_QUALITY_SEEDS, QUALITY_SEEDS):  # untimed: more seeds for the ARI
        fit_ours(seed)
    met = min(ours["ari"]) >= ARI_TARGET
    check = (f"neuroclust over seeds 0-{QUALITY_SEEDS - 1}: ARI median {ari_summary(ours['ari'])}, "
             f"n_clusters_ {counts(ours['k'])}, nodes {counts(ours['nodes'])}")
    if theirs_times is None:
        row = _common.skipped_row(benchmark, ours_label, f"MDP {MDP_VERSION}", target,
                                  skip_reason)
        row.update({"neuroclust (median)": _common.fmt_time(_common.median(ours_times)),
                    "Met": "yes" if met else "**no**", "Check": check + f"; MDP: {skip_reason}"})
        return row
    check += (f"; MDP over seeds 0-{PEER_QUALITY_SEEDS - 1}: ARI median "
              f"{ari_summary(theirs['ari'])}, components {counts(theirs['k'])}, nodes "
              f"{counts(theirs['nodes'])}")
    return _common.make_row(benchmark, ours_label,
                            f"MDP {mdp_version()} `GrowingNeuralGasNode`, same parameters, start "
                            f"and orders", ours_times, theirs_times, speedup=True, target=target,
                            met=met, check=check)


# ------------------------------------------------------------------------------------ speed rows
def speed_rows(mdp, skip_reason):
    import neuroclust
    from neuroclust.backend import cython as compiled
    from neuroclust.backend import reference

    X = np.ascontiguousarray(neuroclust.datasets.make_moons(n_samples=N_SPEED, noise=NOISE,
                                                            random_state=0)[0])
    data = f"{N_SPEED:,} x 2 (two moons, noise {NOISE})"
    rows, facts = [], {}

    # ---- neuroclust's whole fit (one epoch) against MDP's train on the same order and start
    neuroclust.GrowingNeuralGas(**PARAMS, epochs=1, random_state=99).fit(X)  # warm-up
    slot = {"ours": 0, "theirs": 0}
    results = {"ours": [], "theirs": []}

    def ours():
        seed = slot["ours"]
        slot["ours"] += 1
        model = neuroclust.GrowingNeuralGas(**PARAMS, epochs=1, random_state=seed,
                                            backend="cython")
        start = _common.time.perf_counter()
        model.fit(X)
        elapsed = _common.time.perf_counter() - start
        results["ours"].append((len(model.nodes_), model.n_clusters_,
                                quantization_error(X, model.nodes_)))
        return elapsed

    def theirs():
        seed = slot["theirs"]
        slot["theirs"] += 1
        first, second, (order,) = start_and_orders(N_SPEED, seed, 1)
        node = make_mdp(mdp, X, first, second)
        batch = np.ascontiguousarray(X[order])
        start = _common.time.perf_counter()
        node.train(batch)
        elapsed = _common.time.perf_counter() - start
        positions, _, components = mdp_graph(node)
        results["theirs"].append((len(positions), int(components.max()) + 1,
                                  quantization_error(X, positions)))
        return elapsed

    # the compiled kernel alone on the same epoch (no input checks, labels or error pass)
    first, second, (order,) = start_and_orders(N_SPEED, 0, 1)
    kernel_times = []
    for _ in range(KERNEL_REPEATS):
        state = initial_state(X, first, second)
        start = _common.time.perf_counter()
        run_kernel(compiled.gng_online, X, state, order)
        kernel_times.append(_common.time.perf_counter() - start)
    kernel_time = _common.median(kernel_times)

    benchmark = f"GNG, one epoch, float64, {data}, {PARAMS['max_nodes']} nodes at most"
    ours_label = "`GrowingNeuralGas(epochs=1)`, whole `fit`"
    threads = (_common.THREADS_LABEL + " (the GNG step is sequential, one core, in both; "
               "neuroclust's nearest-node passes may use two)")
    if mdp is None:
        ours_times = [ours() for _ in range(SPEED_PAIRS)]
        row = _common.skipped_row(benchmark, ours_label, f"MDP {MDP_VERSION}", "report",
                                  skip_reason)
        row.update({"neuroclust (median)": _common.fmt_time(_common.median(ours_times)),
                    "Check": f"per sample: neuroclust fit "
                             f"{_common.median(ours_times) / N_SPEED * 1e6:.2f} us (kernel alone "
                             f"{kernel_time / N_SPEED * 1e6:.2f} us); MDP: {skip_reason}"})
        rows.append(row)
    else:
        make_mdp(mdp, X, 0, 1).train(X[:5_000])  # warm-up
        ours_times, theirs_times = _common.alternate(ours, theirs, pairs=SPEED_PAIRS, warmup=0)
        ours_nodes = [r[0] for r in results["ours"]]
        theirs_nodes = [r[0] for r in results["theirs"]]
        check = (f"per sample: neuroclust fit {_common.median(ours_times) / N_SPEED * 1e6:.2f} us "
                 f"(kernel alone {kernel_time / N_SPEED * 1e6:.2f} us, "
                 f"{_common.fmt_time(kernel_time)} per epoch), MDP "
                 f"{_common.median(theirs_times) / N_SPEED * 1e6:.1f} us. After "
                 f"the epoch: nodes neuroclust {counts(ours_nodes)}, MDP {counts(theirs_nodes)}; "
                 f"QE median neuroclust {_common.median([r[2] for r in results['ours']]):.4f}, "
                 f"MDP {_common.median([r[2] for r in results['theirs']]):.4f}; components "
                 f"neuroclust {counts([r[1] for r in results['ours']])}, MDP "
                 f"{counts([r[1] for r in results['theirs']])}")
        facts.update(replica_check(mdp))
        gap, edges_agree, n_nodes, n_edges = facts["replica"]
        check += (f"; same-order check: MDP with Fritzke's two rules builds neuroclust's "
                  f"graph ({n_nodes} nodes, {n_edges} edges: "
                  f"{'same edges' if edges_agree else '**edges differ**'}, positions to "
                  f"{gap:.0e})")
        row = _common.make_row(benchmark, ours_label,
                               f"MDP {mdp_version()} `GrowingNeuralGasNode.train`, same "
                               f"parameters, start and order", ours_times, theirs_times,
                               speedup=True, target="report (time per sample)", met=True,
                               check=check, threads=threads)
        row["Met"] = "-"
        rows.append(row)

    # ---- the NumPy reference against the compiled kernel, on a steady-state slice
    state = run_kernel(compiled.gng_online, X, initial_state(X, first, second),
                       order[:N_SPEED - REFERENCE_SLICE])
    steady = copy_state(state)
    tail = order[N_SPEED - REFERENCE_SLICE:]
    final = {}

    def kernel_slot():
        times = []
        for _ in range(KERNEL_REPEATS):
            work = copy_state(steady)
            start = _common.time.perf_counter()
            run_kernel(compiled.gng_online, X, work, tail)
            times.append(_common.time.perf_counter() - start)
        final["compiled"] = work
        return _common.median(times)

    def reference_slot():
        work = copy_state(steady)
        start = _common.time.perf_counter()
        run_kernel(reference.gng_online, X, work, tail)
        elapsed = _common.time.perf_counter() - start
        final["reference"] = work
        return elapsed

    kernel_slice, reference_slice = _common.alternate(kernel_slot, reference_slot,
                                                      pairs=REFERENCE_PAIRS, warmup=1)
    a, b = final["compiled"], final["reference"]
    identical = (a["n_nodes"] == b["n_nodes"] and np.array_equal(a["W"], b["W"])
                 and np.array_equal(a["age"], b["age"]) and np.array_equal(a["error"], b["error"]))
    per_sample = _common.median(reference_slice) / REFERENCE_SLICE
    verdict = ("the same graph, bit for bit (positions, edge ages, errors)" if identical
               else "**different graphs**")
    check = (f"per sample: reference {per_sample * 1e6:.1f} us, kernel "
             f"{_common.median(kernel_slice) / REFERENCE_SLICE * 1e6:.2f} us; reference scaled to "
             f"the whole epoch: {_common.fmt_time(per_sample * N_SPEED)} (kernel: "
             f"{_common.fmt_time(kernel_time)}); after the slice both hold "
             f"{verdict}, {int(a['n_nodes'])} nodes")
    row = _common.make_row(
        f"GNG, the last {REFERENCE_SLICE:,} steps of the epoch above ({int(steady['n_nodes'])} "
        f"nodes), float64", "`backend.cython.gng_online`",
        "`backend.reference.gng_online` (NumPy, neuroclust's reference backend)",
        kernel_slice, reference_slice, speedup=True, target="report (peer-free ratio)",
        met=True, check=check, threads=_common.THREADS_LABEL + " (both sequential: one core)")
    row["Met"] = "-" if identical else "**no** (graphs differ)"
    rows.append(row)
    facts["reference_identical"] = identical
    return rows, facts


def replica_check(mdp):
    """neuroclust's kernel and MDP changed to Fritzke's two rules, fed the same start and
    order (two moons, 1,000 samples, ``REPLICA_EPOCHS`` epochs): how far apart the graphs are."""
    import neuroclust
    from neuroclust.backend import cython as compiled

    X = neuroclust.datasets.make_moons(n_samples=N_QUALITY, noise=NOISE, random_state=0)[0]
    first, second, orders = start_and_orders(len(X), 0, REPLICA_EPOCHS)
    order = np.concatenate(orders)
    state = run_kernel(compiled.gng_online, X, initial_state(X, first, second), order)
    node = make_mdp_fritzke(mdp, X, first, second)
    node.train(np.ascontiguousarray(X[order]))
    positions, edges, _ = mdp_graph(node)
    ours_positions = state["W"][:int(state["n_nodes"])]
    gap, edges_agree = same_graph(ours_positions, state_edges(state), positions, edges)
    return {"replica": (gap, edges_agree, len(ours_positions), len(state_edges(state)))}


# ------------------------------------------------------------------------------------------- run
def run():
    import neuroclust

    mdp, reason = import_mdp()
    neuroclust.GrowingNeuralGas(max_nodes=10, epochs=1, random_state=0).fit(
        neuroclust.datasets.make_moons(n_samples=200, random_state=0)[0])  # warm-up
    rows = [quality_row("two moons", neuroclust.datasets.make_moons, mdp, reason),
            quality_row("two circles", neuroclust.datasets.make_circles, mdp, reason)]
    speed, facts = speed_rows(mdp, reason)
    rows.extend(speed)
    notes = [
        f"GNG parameters, the same for both libraries: lambda = {PARAMS['insert_every']}, epsilon_b = "
        f"{PARAMS['epsilon_b']}, epsilon_n = {PARAMS['epsilon_n']}, max_age = {PARAMS['max_age']}, "
        f"alpha = {PARAMS['alpha']}, beta = {PARAMS['beta']} (MDP's d = 1 - beta = "
        f"{1 - PARAMS['beta']}), at most {PARAMS['max_nodes']} nodes (MDP's `max_nodes`; its "
        "default is unbounded): Fritzke's (1995) values and GrowingNeuralGas's defaults. Both "
        "start from the same two samples (MDP: `start_poss`; neuroclust: drawn from "
        "`random_state`, the script reproduces the draw) and present the samples in the same "
        "order (MDP gets `X[order]`, one `train` call per epoch). float64 throughout.",
        "GNG, where MDP 3.6's algorithm differs (read in `mdp/nodes/neural_gas_nodes.py`): it "
        "adds the winner's *distance* to its error (Fritzke and neuroclust: the squared "
        "distance), gives a new node the mean of its two parents' errors after the alpha "
        "scaling (Fritzke and neuroclust: the first parent's), and joins its two starting "
        "nodes by an edge (neuroclust starts without one, so MDP's second node also moves by "
        "epsilon_n at the first step). Every other step is the same, in the same order "
        "(ageing, moves, the edge s1-s2, removal of edges older than max_age and of nodes left "
        "alone, an insertion every lambda steps while below max_nodes, the decay of every "
        "error). So the graphs differ in detail but not in work: both grow to the same number "
        "of nodes by the same clock. Changed in those two rules and started without the edge, "
        "MDP builds the very graph neuroclust's kernel builds on the same order (the check "
        f"column of the one-epoch row; {REPLICA_EPOCHS} epochs of the 1,000 moons, seed 0).",
        "GNG, what each timed call includes: MDP's `train` alone (node built with its two "
        "starting nodes, and the reordered data made, outside the timer; a Python loop over "
        "the samples, with a Python graph of node and edge objects). neuroclust's whole "
        "`fit`: input checks, the start, the kernel `gng_online` (one call per epoch, the "
        "whole pass in compiled code), the graph's attributes and components after each "
        "epoch, the quantization error of every epoch and the final labelling (two "
        "nearest-node passes over the data per epoch). The check column also gives the "
        "kernel alone on the same epoch (median of "
        f"{KERNEL_REPEATS} runs). The labelling of MDP's samples (for its ARI) is done with "
        "NumPy outside its timer.",
        f"GNG quality: {QUALITY_SEEDS} seeds per data set (data and model both seeded); the "
        f"first {PEER_QUALITY_SEEDS} are fitted by both libraries, alternating (neuroclust, "
        f"MDP, ...), and timed (the ratio of those rows: MDP's {EPOCHS} `train` calls against "
        f"neuroclust's whole {EPOCHS}-epoch fit); a sample's cluster is the component of its "
        "nearest node, compared with the true shape by the adjusted Rand index. "
        f"One epoch: {SPEED_PAIRS} alternating pairs on {N_SPEED:,} two-moons samples, each pair "
        "with its own seed (start and order), after a warm-up of each (neuroclust: one epoch; "
        "MDP: 5,000 samples). QE = mean distance from a sample to its nearest node, the same "
        "float64 computation for both.",
        f"GNG, NumPy reference vs compiled kernel: neuroclust's reference backend (a NumPy "
        "step per sample, `neuroclust/backend/reference/gng.py`) is timed on the last "
        f"{REFERENCE_SLICE:,} steps of the epoch (seed 0), from the state the compiled kernel "
        f"reached after the first {N_SPEED - REFERENCE_SLICE:,} (the full graph, as in most "
        "of the epoch), against the compiled kernel on the same steps from the same state "
        f"(median of {KERNEL_REPEATS} runs a slot); {REFERENCE_PAIRS} alternating pairs after "
        "a warm-up pair. The whole-epoch figure for the reference is that per-sample time "
        f"times {N_SPEED:,} (an estimate: while the graph grows, in the first "
        f"{(PARAMS['max_nodes'] - 2) * PARAMS['insert_every']:,} steps, a step costs a little less).",
        f"GNG, MDP: {MDP_REQUIREMENT} from PyPI (`pip install {MDP_REQUIREMENT}`, pure Python, "
        "brings `future`), run in this process under NumPy "
        f"{np.__version__} with three import-time adjustments made by this script: "
        "`numpy.typeDict = numpy.sctypeDict` (removed in NumPy 1.24, read by MDP's "
        "`utils/routines.py`), a Python wrapper around `numpy.linalg.eigh` while MDP imports "
        "(its `configuration.get_symeig` calls `inspect.getfullargspec` on it, which NumPy 2's "
        "dispatcher does not support), and `MDPNUMX=numpy` (MDP's NumPy backend; with SciPy "
        "it probes `scipy.linalg.eigh` the same way). None touches the GNG's code path "
        "(NumPy's `dot`, `argsort`, `sqrt` and `argmax` on float64 and Python lists).",
    ]
    if reason:
        notes.append(f"GNG: MDP skipped: {reason}.")
    return {"rows": rows, "notes": notes}


if __name__ == "__main__":
    _common.print_report("Growing neural gas", run())
