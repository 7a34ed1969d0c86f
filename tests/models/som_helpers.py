"""Plain brute-force references shared by the SOM estimator's tests
(tests/models/test_som.py: training; tests/models/test_som_queries.py: queries, files, tools and
bad input)."""
import numpy as np


# ------------------------------------------------------------------- plain references
def distances(X, W):
    """Euclidean distance of every row of X to every prototype, written out."""
    return np.sqrt(((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=2))


def cosine_similarities(X, W):
    return (X @ W.T) / np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(W, axis=1))


def hand_neighbours(rows, cols, topology, toroidal):
    """Each unit's grid neighbours by the textbook rules, as sets of flat indices.

    Rectangular: up, down, left, right. Hexagonal with odd rows shifted right: left and
    right, and in the rows above and below columns (c - 1, c) from an even row, (c, c + 1)
    from an odd one. A torus wraps rows and columns around.
    """
    result = []
    for r in range(rows):
        for c in range(cols):
            if topology == "rectangular":
                candidates = [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
            else:
                shift = (-1, 0) if r % 2 == 0 else (0, 1)
                candidates = [(r, c - 1), (r, c + 1)] + [
                    (r + dr, c + dc) for dr in (-1, 1) for dc in shift]
            found = set()
            for rr, cc in candidates:
                if toroidal:
                    rr, cc = rr % rows, cc % cols
                elif not (0 <= rr < rows and 0 <= cc < cols):
                    continue
                if (rr, cc) != (r, c):
                    found.add(rr * cols + cc)
            result.append(found)
    return result


def neighbour_to_pair_ratio(som):
    """Mean prototype distance of grid neighbours over that of all pairs of units.

    About 1 for prototypes scattered over the grid without order, far below for an ordered map.
    """
    W = som.cluster_centers_
    pairs = distances(W, W)
    adjacent = np.mean([pairs[j, k] for j, ks in enumerate(som.grid_neighbours()) for k in ks])
    return adjacent / pairs[np.triu_indices(len(W), 1)].mean()


def far_start(X, shape):
    """Prototypes: half on the data, the other half far away (so those never win)."""
    n_units = shape[0] * shape[1]
    start = X[:n_units].copy()
    start[n_units // 2:] = 100.0 + np.arange(n_units - n_units // 2)[:, None]
    return start
