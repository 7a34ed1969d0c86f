

def test_a_curve_of_non_negative_values_starts_at_zero_and_has_a_title():
    """A y-axis of 1.530-1.555 made a 1% wiggle look like chaos, and a flat line at 12 had
    ticks 11.4-12.6: non-negative values (errors, losses, counts) start at zero."""
    import matplotlib.pyplot as plt

    from neuroclust.plotting import plot_history

    figure = plot_history([1.555, 1.54, 1.545, 1.53, 1.535])
    ax = figure.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 1.555
    assert ax.get_title() == "quantization error after each epoch"
    flat = plot_history({"n_categories": [12] * 8}).axes[0]
    assert flat.get_ylim()[0] == 0 and flat.get_title() == "n categories after each epoch"
    signed = plot_history([-3.0, -1.0, 2.0], title="a signed loss").axes[0]
    assert signed.get_ylim()[0] < -3 and signed.get_title() == "a signed loss"
    plt.close("all")
