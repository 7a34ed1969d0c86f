"""The SOM's grid geometry (``neuroclust/grid.py``) against values worked out by hand.

Unit ``j`` sits at ``row = j // cols``, ``col = j % cols``. Rectangular positions are
``(x, y) = (col, row)``; hexagonal ones shift odd rows right by one half and put rows
``sqrt(3)/2`` apart, so that every neighbour is at distance 1. On a torus an axis of period
``P`` measures ``min(|a - b|, P - |a - b|)``.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust import grid

H = np.sqrt(3.0) / 2.0   # the row spacing of a hexagonal grid


def neighbours(shape, topology, toroidal):
    """The sorted neighbour lists of a standard grid, as plain Python lists."""
    positions, periods = grid.standard_grid(shape, topology, toroidal)
    return [sorted(int(j) for j in row) for row in grid.grid_neighbours(positions, periods)]


# --- positions and periods -----------------------------------------------------------------

def test_rectangular_positions_are_column_then_row():
    expected = [[0, 0], [1, 0], [2, 0],
                [0, 1], [1, 1], [2, 1]]
    np.testing.assert_array_equal(grid.grid_positions((2, 3), "rectangular"), expected)


def test_hexagonal_positions_shift_odd_rows_by_half_and_space_rows_by_sqrt3_over_2():
    expected = [[0.0, 0.0], [1.0, 0.0],
                [0.5, H], [1.5, H],
                [0.0, 2 * H], [1.0, 2 * H]]
    np.testing.assert_allclose(grid.grid_positions((3, 2), "hexagonal"), expected,
                               rtol=0, atol=1e-15)


def test_periods_are_zero_on_a_flat_grid_and_the_side_lengths_on_a_torus():
    np.testing.assert_array_equal(grid.grid_periods((3, 4), "rectangular", False), [0, 0])
    np.testing.assert_array_equal(grid.grid_periods((3, 4), "hexagonal", False), [0, 0])
    np.testing.assert_array_equal(grid.grid_periods((3, 4), "rectangular", True), [4, 3])
    np.testing.assert_allclose(grid.grid_periods((4, 3), "hexagonal", True), [3, 4 * H],
                               rtol=1e-15)


def test_standard_grid_is_cached_read_only_and_equal_to_its_parts():
    positions, periods = grid.standard_grid((3, 5), "hexagonal", True)
    assert grid.standard_grid((3, 5), "hexagonal", True)[0] is positions
    np.testing.assert_array_equal(positions, grid.grid_positions((3, 5), "hexagonal"))
    np.testing.assert_array_equal(periods, grid.grid_periods((3, 5), "hexagonal", True))
    assert not positions.flags.writeable and not periods.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        positions[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        periods[0] = 1.0


# --- neighbours ----------------------------------------------------------------------------

def test_every_hexagonal_neighbour_is_at_distance_one():
    positions, periods = grid.standard_grid((5, 5), "hexagonal", False)
    d2 = grid.grid_squared_distances(positions, periods)
    # Unit 12 (row 2, even) and unit 7 (row 1, odd): six neighbours each, as drawn by hand.
    # Rows 1 and 3 sit half a step right, so unit 12 (x = 2) touches their columns 1 and 2
    # (x = 1.5, 2.5), and unit 7 (x = 2.5) touches columns 2 and 3 of rows 0 and 2.
    for unit, expected in [(12, [6, 7, 11, 13, 16, 17]),
                           (7, [2, 3, 6, 8, 12, 13])]:
        np.testing.assert_allclose(d2[unit, expected], 1.0, rtol=0, atol=1e-12)
        others = np.setdiff1d(np.arange(25), expected + [unit])
        assert (d2[unit, others] > 2.9).all()   # the next ring is at distance sqrt(3)


def test_rectangular_neighbour_counts_four_inside_fewer_on_the_border():
    got = neighbours((3, 3), "rectangular", False)
    assert [len(n) for n in got] == [2, 3, 2,
                                     3, 4, 3,
                                     2, 3, 2]
    assert got[4] == [1, 3, 5, 7]
    assert got[0] == [1, 3]


def test_hexagonal_neighbour_counts_six_inside_fewer_on_the_border():
    # Row 1 is shifted right: its first unit touches units 0 and 1 above, the last only 2.
    got = neighbours((3, 3), "hexagonal", False)
    assert [len(n) for n in got] == [2, 4, 3,
                                     5, 6, 3,
                                     2, 4, 3]
    assert got[4] == [1, 2, 3, 5, 7, 8]
    assert got[5] == [2, 4, 8]


def test_rectangular_torus_gives_every_unit_four_neighbours():
    got = neighbours((3, 4), "rectangular", True)
    assert all(len(n) == 4 for n in got)
    assert got[0] == [1, 3, 4, 8]       # right, left (wrapped), below, above (wrapped)


@pytest.mark.parametrize("shape", [(4, 4), (6, 5)])
def test_hexagonal_torus_with_even_rows_gives_every_unit_six_neighbours(shape):
    got = neighbours(shape, "hexagonal", True)
    assert all(len(n) == 6 for n in got)


def test_hexagonal_torus_wraps_the_last_odd_row_onto_the_first():
    # (4, 4): unit 0 at (0, 0); row 3 (odd, at x = 0.5 and 3.5) is one row away across the edge.
    assert neighbours((4, 4), "hexagonal", True)[0] == [1, 3, 4, 7, 12, 15]


# --- distances -----------------------------------------------------------------------------

def test_toroidal_distance_takes_the_shorter_way_round():
    positions, periods = grid.standard_grid((1, 6), "rectangular", True)
    np.testing.assert_array_equal(grid.grid_squared_distances(positions, periods, center=0),
                                  [0, 1, 4, 9, 4, 1])
    flat = grid.grid_squared_distances(*grid.standard_grid((1, 6), "rectangular", False),
                                        center=0)
    np.testing.assert_array_equal(flat, [0, 1, 4, 9, 16, 25])


def test_toroidal_distance_on_both_axes_by_hand():
    positions, periods = grid.standard_grid((5, 7), "rectangular", True)
    # unit 0 (row 0, col 0) to unit 4 * 7 + 5 (row 4, col 5): dx = min(5, 2), dy = min(4, 1)
    assert grid.grid_squared_distances(positions, periods)[0, 33] == 2 ** 2 + 1 ** 2


@pytest.mark.parametrize("a, b, period", [(0.0, 3.0, 10.0), (1.0, 9.0, 10.0), (0.5, 4.5, 5.0),
                                          (2.0, 2.0, 4.0), (0.0, 2.0, 4.0)])
def test_wrapped_axis_distance_is_min_of_direct_and_around(a, b, period):
    positions = np.array([[a, 0.0], [b, 0.0]])
    d2 = grid.grid_squared_distances(positions, np.array([period, 0.0]))
    expected = min(abs(a - b), period - abs(a - b))
    assert d2[0, 1] == pytest.approx(expected ** 2, abs=1e-12)


@st.composite
def grids(draw):
    shape = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    topology = draw(st.sampled_from(grid.TOPOLOGIES))
    return shape, topology


@settings(max_examples=50, deadline=None)
@given(layout=grids(), toroidal=st.booleans())
def test_squared_distances_symmetric_non_negative_zero_on_the_diagonal(layout, toroidal):
    positions, periods = grid.standard_grid(*layout, toroidal)
    d2 = grid.grid_squared_distances(positions, periods)
    assert d2.shape == (len(positions),) * 2
    np.testing.assert_allclose(d2, d2.T, rtol=0, atol=1e-12)
    assert (d2 >= 0).all()
    np.testing.assert_array_equal(np.diag(d2), 0.0)
    for centre in (0, len(positions) - 1):
        np.testing.assert_array_equal(
            grid.grid_squared_distances(positions, periods, center=centre), d2[centre])


@settings(max_examples=50, deadline=None)
@given(layout=grids())
def test_toroidal_distances_never_exceed_flat_ones(layout):
    positions, flat_periods = grid.standard_grid(*layout, False)
    torus_periods = grid.grid_periods(*layout, True)
    flat = grid.grid_squared_distances(positions, flat_periods)
    torus = grid.grid_squared_distances(positions, torus_periods)
    assert (torus <= flat + 1e-12).all()
    # Half a period is the farthest one can be along a wrapped axis.
    bound = ((torus_periods / 2) ** 2).sum()
    assert (torus <= bound + 1e-12).all()


# Hexagonal rows are sqrt(3)/2 apart; squared distances are snapped to exact quarters.
def test_hexagonal_distances_are_exact_so_bubble_at_sigma_one_is_isotropic():
    positions, periods = grid.standard_grid((8, 6), "hexagonal", False)
    d2 = grid.grid_squared_distances(positions, periods)
    adjacent = np.abs(d2 - 1.0) < 1e-9
    assert (d2[adjacent] == 1.0).all()
    # Around unit 20 (row 3, col 2), bubble with sigma = 1 keeps the winner only.
    np.testing.assert_array_equal(np.flatnonzero(grid.neighbourhood(d2[20], 1.0, "bubble")),
                                  [20])


# --- neighbourhood functions ---------------------------------------------------------------

@pytest.mark.parametrize("kind", grid.NEIGHBOURHOODS)
@pytest.mark.parametrize("sigma", [0.3, 1.0, 4.5])
def test_every_neighbourhood_is_one_at_the_winner(kind, sigma):
    assert grid.neighbourhood(np.zeros(3), sigma, kind).tolist() == [1.0, 1.0, 1.0]


def test_gaussian_values():
    d2 = np.array([0.0, 1.0, 2.0, 8.0])
    np.testing.assert_allclose(grid.neighbourhood(d2, 1.0, "gaussian"),
                               [1.0, np.exp(-0.5), np.exp(-1.0), np.exp(-4.0)], rtol=1e-15)
    # sigma = 2: exp(-d2 / 8)
    np.testing.assert_allclose(grid.neighbourhood(d2, 2.0, "gaussian"),
                               [1.0, np.exp(-1 / 8), np.exp(-1 / 4), np.exp(-1.0)], rtol=1e-15)


def test_bubble_is_one_strictly_inside_sigma_and_zero_from_sigma_on():
    d2 = np.array([0.0, 1.0, 3.99, 4.0, 4.01, 100.0])
    assert grid.neighbourhood(d2, 2.0, "bubble").tolist() == [1, 1, 1, 0, 0, 0]


def test_mexican_hat_values_and_negative_beyond_sigma():
    d2 = np.array([0.0, 0.25, 1.0, 4.0])
    expected = [1.0, 0.75 * np.exp(-0.125), 0.0, -3.0 * np.exp(-2.0)]
    got = grid.neighbourhood(d2, 1.0, "mexican_hat")
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-16)
    assert (grid.neighbourhood(np.linspace(1.01, 30, 50), 1.0, "mexican_hat") < 0).all()


def test_triangle_falls_linearly_to_zero_at_sigma_and_stays_zero():
    d2 = np.array([0.0, 1.0, 2.25, 4.0, 9.0])   # d = 0, 1, 1.5, 2, 3
    np.testing.assert_allclose(grid.neighbourhood(d2, 2.0, "triangle"),
                               [1.0, 0.5, 0.25, 0.0, 0.0], rtol=1e-15)


# --- decay schedules -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", grid.DECAYS)
@pytest.mark.parametrize("start, end", [(0.5, 0.01), (5.0, 0.5), (1.0, 2.0)])
def test_decay_starts_at_start_and_ends_at_end(kind, start, end):
    assert grid.decay(start, end, 0.0, kind) == start
    assert grid.decay(start, end, 1.0, kind) == pytest.approx(end, rel=1e-14)


def test_decay_midpoints_by_hand():
    assert grid.decay(3.0, 1.0, 0.5, "linear") == 2.0
    assert grid.decay(4.0, 1.0, 0.5, "exponential") == pytest.approx(2.0, rel=1e-15)
    assert grid.decay(3.0, 1.0, 0.5, "inverse_time") == pytest.approx(1.5, rel=1e-15)


@pytest.mark.parametrize("kind", grid.DECAYS)
def test_decay_takes_arrays_of_fractions_and_is_monotone(kind):
    fraction = np.linspace(0, 1, 11)
    values = grid.decay(2.0, 0.1, fraction, kind)
    assert values.shape == (11,)
    assert (np.diff(values) < 0).all()


def test_inverse_time_to_a_third_is_minisoms_asymptotic_decay():
    T = 250
    t = np.arange(T + 1)
    start = 0.7
    minisom_style = start / (1 + t / (T / 2))
    np.testing.assert_allclose(grid.decay(start, start / 3, t / T, "inverse_time"),
                               minisom_style, rtol=1e-14)
