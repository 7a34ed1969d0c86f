"""The teaching instruments: a model's schedule before training (and its figure), warnings
for dead units, emptied clusters and ART's order dependence."""
import warnings

import matplotlib
import numpy as np
import pytest

from neuroclust import (SOM, CompetitiveLearning, DeadUnitsWarning, EmptyClusterWarning,
                        FuzzyART, KMeans, OrderDependenceWarning, datasets, grid, plotting)

matplotlib.use("Agg")


# --- schedules -----------------------------------------------------------------------------

def test_online_som_schedule_is_the_one_training_applies():
    som = SOM(shape=(4, 5), sigma=3.0, sigma_final=0.5, learning_rate=0.4,
              learning_rate_final=0.02, decay="linear", epochs=3)
    values = som.schedule(100, n_points=301)
    assert values["step"][0] == 0 and values["step"][-1] == 299       # 3 epochs of 100 steps
    np.testing.assert_allclose(values["epoch"], values["step"] / 100)
    fraction = values["step"] / 300
    np.testing.assert_allclose(values["learning_rate"], 0.4 + (0.02 - 0.4) * fraction)
    np.testing.assert_allclose(values["sigma"], 3.0 + (0.5 - 3.0) * fraction)


def test_batch_som_schedule_has_one_radius_per_epoch_and_no_rate():
    values = SOM(shape=(6, 6), mode="batch", epochs=7).schedule(50)
    assert values["learning_rate"] is None
    np.testing.assert_array_equal(values["step"], np.arange(7))
    assert values["sigma"][0] == 3.0 and np.all(np.diff(values["sigma"]) < 0)


def test_schedules_of_long_runs_are_sampled():
    values = SOM(shape=(3, 3), n_iterations=10**9).schedule(10, n_points=50)
    assert len(values["step"]) == 50 and values["step"][-1] == 10**9 - 1
    competitive = CompetitiveLearning(3, epochs=10**6, learning_rate=0.1,
                                      learning_rate_final=0.001).schedule(n_points=20)
    assert len(competitive["epoch"]) == 20
    assert competitive["learning_rate"][0] == 0.1
    assert competitive["learning_rate"][-1] == pytest.approx(0.001)
    assert competitive["sigma"] is None


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_schedule_refuses_a_bad_sample_count(bad):
    with pytest.raises((ValueError, TypeError), match="n_samples"):
        SOM().schedule(bad)


def test_plot_schedule_draws_rates_and_neighbourhoods():
    fig = plotting.plot_schedule(SOM(shape=(8, 8), epochs=5), 200)
    rates, shapes = fig.axes[0], fig.axes[1]
    assert "epoch" in rates.get_xlabel() and "grid distance" in shapes.get_xlabel()
    assert len(shapes.lines) >= 3 and fig._suptitle.get_text()
    assert rates.get_ylim()[0] == 0
    single = plotting.plot_schedule(CompetitiveLearning(3), 100)
    assert len(single.axes) == 1 and single.axes[0].get_ylim()[0] == 0
    with pytest.raises(TypeError, match="schedule"):
        plotting.plot_schedule(KMeans(3), 100)


# --- warnings ------------------------------------------------------------------------------

def test_dead_units_are_named_with_the_fix():
    X, _ = datasets.make_five_centroids(n_samples=300, random_state=0)
    start = np.vstack([X[:4], np.full((2, 3), 1e3)])       # two units far from every sample
    with pytest.warns(DeadUnitsWarning, match=r"2 of the 6 units won no training sample "
                                              r"\(dead units: 4, 5\).*conscience=True"):
        model = CompetitiveLearning(6, init=start, epochs=3, random_state=0).fit(X)
    assert set(np.unique(model.labels_)) == {0, 1, 2, 3}


def test_no_dead_units_warning_on_a_good_fit():
    X, _ = datasets.make_five_centroids(n_samples=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeadUnitsWarning)
        CompetitiveLearning(5, init="k-means++", conscience=True, learning_rate=0.05,
                            random_state=0).fit(X)


def test_an_emptied_kmeans_cluster_is_reported():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(5, 0.1, (50, 2))]
    with pytest.warns(EmptyClusterWarning, match=r"cluster\(s\) \[2\] lost every sample"):
        model = KMeans(3, init=np.array([[0, 0], [5, 5], [100, 100.0]]), n_init=1).fit(X)
    assert len(np.unique(model.labels_)) == 3      # restarted, and it holds samples again
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptyClusterWarning)
        KMeans(2, random_state=0).fit(X)


def test_art_order_dependence_warns_where_orders_disagree():
    X, _ = datasets.make_five_centroids(n_samples=400, random_state=0)
    model = FuzzyART(rho=0.6, scale=True)
    with pytest.warns(OrderDependenceWarning, match="depend on the order"):
        result = model.order_dependence(X, n_orders=4, random_state=0)
    assert len(result["n_categories"]) == 4 and len(result["agreement"]) == 6
    assert result["min_agreement"] < 0.9
    assert not hasattr(model, "labels_")            # the model itself is not fitted


def test_art_order_dependence_is_quiet_when_every_order_agrees():
    rng = np.random.default_rng(1)
    centres = np.array([[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]])
    X = np.clip(np.repeat(centres, 40, axis=0) + rng.normal(0, 0.01, (120, 2)), 0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderDependenceWarning)
        result = FuzzyART(rho=0.8).order_dependence(X, n_orders=5, random_state=0)
    assert result["n_categories"] == [3] * 5 and result["min_agreement"] == 1.0


def test_schedule_points_keeps_both_ends():
    np.testing.assert_array_equal(grid.schedule_points(5, 200), np.arange(5))
    points = grid.schedule_points(1000, 3)
    assert list(points) == [0, 500, 999]


# --- step traces ---------------------------------------------------------------------------

def five(n=60):
    return datasets.make_five_centroids(n_samples=n, random_state=0)[0]


@pytest.mark.parametrize("init", ["pca", "random_samples"])
def test_som_trace_replays_the_fit(init):
    X = five()
    settings = dict(shape=(4, 5), epochs=2, init=init, random_state=3)
    trace = SOM(**settings).trace(X, n_steps=120)
    assert len(trace) == 120 and len(trace.prototypes) == 121
    np.testing.assert_array_equal(trace.prototypes[-1],
                                  SOM(backend="numpy", **settings).fit(X).cluster_centers_)
    np.testing.assert_allclose(trace.prototypes[-1], SOM(**settings).fit(X).cluster_centers_,
                               rtol=1e-10, atol=1e-12)
    for k in (0, 57, 119):   # each winner is the nearest unit of the map the step met
        record, before = trace[k], trace.prototypes[k]
        distances = np.linalg.norm(before - X[record["sample"]], axis=1)
        assert record["winner"] == distances.argmin()
        assert record["distance"] == pytest.approx(distances.min())
        assert record["runner_up"] == np.argsort(distances, kind="stable")[1]
    assert trace.column("learning_rate")[0] == 0.5 and np.all(np.diff(trace.column("sigma")) < 0)


@pytest.mark.parametrize("conscience", [False, True])
def test_competitive_trace_replays_the_fit(conscience):
    X = five()
    settings = dict(n_clusters=5, epochs=2, learning_rate=0.1, learning_rate_final=0.01,
                    conscience=conscience, random_state=3)
    trace = CompetitiveLearning(**settings).trace(X, n_steps=500)
    assert len(trace) == 120                        # two epochs of 60: the whole run
    np.testing.assert_allclose(trace.prototypes[-1],
                               CompetitiveLearning(**settings).fit(X).cluster_centers_,
                               rtol=1e-10, atol=1e-12)
    handicapped = trace.column("nearest") != trace.column("winner")
    assert handicapped.any() == conscience          # only the conscience overrides distance
    np.testing.assert_allclose(np.unique(trace.column("learning_rate")), [0.01, 0.1])


def test_art_trace_replays_the_fit_and_every_reset_fails_the_test():
    X = five()
    trace = FuzzyART(rho=0.75, scale=True).trace(X, n_steps=120)
    fitted = FuzzyART(rho=0.75, scale=True, epochs=2).fit(X)
    np.testing.assert_array_equal(trace.prototypes[-1], fitted.weights_)
    inputs = None
    for k, record in enumerate(trace):
        templates = trace.prototypes[k]
        if inputs is None:
            low, high = X.min(axis=0), X.max(axis=0)
            scaled = (X - low) / (high - low)
            inputs = np.hstack([scaled, 1 - scaled])     # complement coding
        x = inputs[record["sample"]]
        matches = np.minimum(x, templates).sum(axis=1) / x.sum()
        assert all(matches[j] < 0.75 for j in record["resets"])
        assert record["new"] == (record["category"] == len(templates))
    assert trace.column("new").sum() == len(trace.prototypes[60])   # categories opened in epoch 1
    assert "resets" in trace.table() and "more steps" in trace.table(max_rows=3)


def test_trace_refuses_what_it_cannot_follow_and_leaves_the_model_alone():
    X = five()
    with pytest.raises(ValueError, match="mode='batch'"):
        SOM(mode="batch").trace(X)
    with pytest.raises(ValueError, match="n_steps"):
        SOM().trace(X, n_steps=0)
    model = SOM(shape=(3, 3), random_state=0)
    model.trace(X, n_steps=5)
    assert not hasattr(model, "cluster_centers_")
    with pytest.raises(KeyError, match="winner"):
        model.trace(X, n_steps=5).column("category")


def test_gng_trace_replays_the_fit_with_its_insertions_and_removals():
    from neuroclust import GrowingNeuralGas

    X = datasets.make_moons(n_samples=200, random_state=0)[0]
    settings = dict(insert_every=20, max_age=2, epochs=3, random_state=1)
    trace = GrowingNeuralGas(**settings).trace(X, n_steps=10**6)
    assert len(trace) == 600                          # three epochs of 200: the whole run
    np.testing.assert_allclose(trace.prototypes[-1],
                               GrowingNeuralGas(**settings).fit(X).nodes_, rtol=1e-12)
    inserted, removed = trace.column("inserted"), trace.column("removed")
    assert inserted.sum() > 0 and removed.sum() > 0   # a short max_age: nodes die too
    steps = np.arange(1, 601)
    np.testing.assert_array_equal(inserted, steps % 20 == 0)
    counts = np.concatenate([[2], trace.column("n_nodes")])
    np.testing.assert_array_equal(np.diff(counts), inserted.astype(int) - removed)
    for k in (0, 100, 599):                           # s1, s2: the two nearest nodes then
        record, before = trace[k], trace.prototypes[k]
        order = np.argsort(np.linalg.norm(before - X[record["sample"]], axis=1), kind="stable")
        assert [record["s1"], record["s2"]] == order[:2].tolist()


def test_trace_table_shows_a_window_of_steps():
    trace = SOM(shape=(3, 3), random_state=0).trace(five(), n_steps=10)
    lines = trace.table(start=-3).splitlines()
    assert lines[2] == "... 7 steps before" and len(lines) == 6
    middle = trace.table(max_rows=2, start=4).splitlines()
    assert middle[2] == "... 4 steps before" and middle[-1] == "... 4 more steps"
    assert [int(line.split()[0]) for line in middle[3:5]] == [4, 5]    # the step column
