"""gdlearn.plotting and gdlearn.style: the helpers draw the right data where the Surface says."""
from __future__ import annotations

import dataclasses

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from gdlearn import plotting, style
from gdlearn.optim import sgd
from gdlearn.run import run, run_many
from gdlearn.surfaces import SURFACES, double_well, himmelblau, parabola, quadratic, rosenbrock


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("library code must not call plt.show()")

    monkeypatch.setattr(plt, "show", fail)


# ---------------------------------------------------------------- style
def test_optimizer_colours_are_fixed_and_colour_blind_safe():
    okabe_ito = set(style.PALETTE.values())
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton", "bfgs"):
        assert style.color_for(name) in okabe_ito
    assert style.color_for("Adam") == style.color_for("adam") == style.PALETTE["vermillion"]
    # related methods share a colour but not a line style
    assert style.optimizer_style("adamw")["linestyle"] != style.optimizer_style("adam")["linestyle"]
    assert style.color_for("sgd") != style.color_for("momentum")
    assert style.color_for("unknown-thing") == style.color_for("unknown-thing")


def test_figsize_context_manager_restores():
    before = list(matplotlib.rcParams["figure.figsize"])
    with style.figsize(7, 2):
        assert list(matplotlib.rcParams["figure.figsize"]) == [7, 2]
    assert list(matplotlib.rcParams["figure.figsize"]) == before
    with pytest.raises(ValueError, match="width"):
        with style.figsize("enormous"):
            pass


def test_set_style_sets_palette():
    with matplotlib.rc_context():
        style.set_style()
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == style.color_for("sgd")


# ---------------------------------------------------------------- contours
@pytest.mark.parametrize("name", sorted(SURFACES))
def test_contours_span_the_surface_domain(ax, name):
    s = SURFACES[name]
    art = plotting.plot_contours(s, ax=ax, resolution=40)
    (x0, x1), (y0, y1) = s.domain
    assert ax.get_xlim() == (x0, x1) and ax.get_ylim() == (y0, y1)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == s.name
    if len(s.minima):
        np.testing.assert_array_equal(art.minima.get_xdata(), s.minima[:, 0])
        np.testing.assert_array_equal(art.minima.get_ydata(), s.minima[:, 1])
    else:
        assert art.minima is None


def test_contour_grid_comes_from_the_domain_not_a_hard_coded_box(ax):
    seen = []
    q = quadratic(3.0)

    def f(x):
        seen.append(np.asarray(x))
        return q.f(x - np.array([11.0, -0.5]).reshape((2,) + (1,) * (np.ndim(x) - 1)))

    odd = dataclasses.replace(q, f=f, domain=((10.0, 12.0), (-1.0, 0.0)), minima=[[11.0, -0.5]],
                              start=[10.5, -0.9])
    plotting.plot_contours(odd, ax=ax, resolution=30)
    grid = seen[0]
    assert grid.shape == (2, 30, 30)
    assert grid[0].min() == 10.0 and grid[0].max() == 12.0
    assert grid[1].min() == -1.0 and grid[1].max() == 0.0


def test_log_scale_surfaces_get_log_spaced_levels(ax):
    art = plotting.plot_contours(rosenbrock, ax=ax, levels=12)
    excess = np.asarray(art.lines.levels) - rosenbrock.f(rosenbrock.minima[0])
    ratios = excess[1:] / excess[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1.5
    lin = np.asarray(plotting.plot_contours(himmelblau, ax=ax, levels=12).lines.levels)
    r = lin[1:] / lin[:-1]  # Himmelblau's minimum value is 0 and it is not log-scaled
    assert not np.allclose(r, r[0])


def test_contours_reject_a_1d_surface(ax):
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_contours(parabola, ax=ax)


def test_ax_none_draws_on_the_current_axes():
    fig, ax = plt.subplots()
    try:
        art = plotting.plot_path(np.array([[0.0, 0.0], [1.0, 1.0]]))
        assert art.line.axes is ax
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- paths and losses
def test_path_line_holds_the_trace(ax):
    trace = run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 50)
    art = plotting.plot_path(trace, ax=ax, label="momentum")
    np.testing.assert_array_equal(art.line.get_xdata(), trace.xs[:, 0])
    np.testing.assert_array_equal(art.line.get_ydata(), trace.xs[:, 1])
    np.testing.assert_array_equal(np.ravel(art.start.get_xydata()), trace.xs[0])
    np.testing.assert_array_equal(np.ravel(art.end.get_xydata()), trace.xs[-1])
    assert to_hex(art.line.get_color()).upper() == style.color_for("momentum").upper()
    assert ax.get_legend() is not None


def test_diverged_path_ends_with_a_cross(ax):
    q = quadratic(10.0)
    trace = run(sgd(lr=0.25), q, q.start, 100)
    assert trace.status == "diverged"
    assert plotting.plot_path(trace, ax=ax).end.get_marker() == "X"


def test_1d_path_lies_on_the_curve(ax):
    trace = run(sgd(lr=0.05), double_well, 2.0, 20)
    art = plotting.plot_path(trace, ax=ax)
    np.testing.assert_array_equal(art.line.get_ydata(), trace.fs)
    with pytest.raises(ValueError, match="dimension"):
        plotting.plot_path(np.zeros((4, 3)), ax=ax)


def test_loss_curves(ax):
    t1 = run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 30)
    t2 = run(sgd(lr=1e-3, momentum=0.9), rosenbrock, rosenbrock.start, 30)
    lines = plotting.plot_loss({"sgd": t1, "momentum": t2}, ax=ax, f_star=0.0)
    np.testing.assert_array_equal(lines[0].get_ydata(), t1.fs)
    np.testing.assert_array_equal(lines[1].get_xdata(), np.arange(len(t2.fs)))
    assert [to_hex(ln.get_color()).upper() for ln in lines] == [style.color_for("sgd"), style.color_for("momentum")]
    assert ax.get_yscale() == "log" and ax.get_legend() is not None
    fig2, ax2 = plt.subplots()
    try:
        plotting.plot_loss([3.0, 2.0, 1.0], ax=ax2, log=False)
        assert ax2.get_yscale() == "linear"
    finally:
        plt.close(fig2)


def test_gradient_field_points_downhill_with_unit_arrows(ax):
    art = plotting.plot_gradient_field(himmelblau, ax=ax, density=8)
    q = art.quiver
    X, Y = q.X, q.Y
    g = himmelblau.grad(np.stack([X, Y]))
    norm = np.hypot(g[0], g[1])
    U, V = np.asarray(q.U), np.asarray(q.V)
    lengths = np.hypot(U, V)
    np.testing.assert_allclose(lengths, lengths.flat[0])           # all the same length
    np.testing.assert_allclose(U / lengths, -g[0] / norm, atol=1e-12)  # along -grad
    np.testing.assert_allclose(V / lengths, -g[1] / norm, atol=1e-12)
    np.testing.assert_allclose(np.asarray(q.get_array()), norm, rtol=1e-12)  # colour = magnitude
    assert X.min() > himmelblau.domain[0][0] and X.max() < himmelblau.domain[0][1]
    assert art.colorbar is not None


def test_surface3d():
    trace = run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 20)
    art = plotting.plot_surface3d(rosenbrock, resolution=20, trace=trace, log=False)
    try:
        x, y, z = art.path.get_data_3d()
        np.testing.assert_array_equal(x, trace.xs[:, 0])
        np.testing.assert_allclose(z, trace.fs)
        assert art.surface.axes.get_zlabel()
    finally:
        plt.close(art.surface.axes.figure)


def test_function_and_tangent(ax):
    plotting.plot_function(double_well, ax=ax)
    art = plotting.plot_tangent(double_well, 0.7, ax=ax)
    (xa, xb), (ya, yb) = art.line.get_xdata(), art.line.get_ydata()
    slope = (yb - ya) / (xb - xa)
    assert slope == pytest.approx(float(double_well.grad(np.array([0.7]))[0]))
    assert art.point.get_ydata()[0] == pytest.approx(float(double_well.f(np.array([0.7]))))
    assert ax.get_xlim() == double_well.domain[0]


# ---------------------------------------------------------------- many runs
def _grid_starts(surface, n):
    (a, b), (c, d) = surface.domain
    X, Y = np.meshgrid(np.linspace(a, b, n), np.linspace(c, d, n))
    return np.column_stack([X.ravel(), Y.ravel()])


def test_basins_image_matches_the_runs(ax):
    x0s = _grid_starts(himmelblau, 25)
    many = run_many(sgd(lr=0.01), himmelblau, x0s, 300)
    art = plotting.plot_basins(many, himmelblau, ax=ax)
    img = np.asarray(art.image.get_array())
    assert img.shape == (25, 25)
    expected = plotting.basin_labels(many, himmelblau).reshape(25, 25)
    np.testing.assert_array_equal(img, expected)
    assert set(np.unique(img)) >= {0, 1, 2, 3}  # all four of Himmelblau's minima are reached
    texts = [t.get_text() for t in art.legend.get_texts()]
    assert len([t for t in texts if t.startswith("→")]) == 4
    np.testing.assert_array_equal(art.minima.get_xdata(), himmelblau.minima[:, 0])


def test_basins_grey_out_diverged_runs_and_scatter_non_grids(ax):
    rng = np.random.default_rng(0)
    x0s = rng.uniform(-5, 5, size=(200, 2))
    many = run_many(sgd(lr=0.05), himmelblau, x0s, 100)
    lab = plotting.basin_labels(many, himmelblau)
    assert np.any(lab == -2)  # this learning rate is too large for some starts
    art = plotting.plot_basins(many, himmelblau, ax=ax)
    assert isinstance(art.image, matplotlib.collections.PathCollection)
    assert "diverged" in [t.get_text() for t in art.legend.get_texts()]
    colors = art.image.to_rgba(np.array([-2]))[0]
    assert to_hex(colors).upper() == style.DIVERGED_COLOR.upper()


def test_lr_sweep(ax):
    q = quadratic(10.0)
    lrs = np.array([0.01, 0.1, 0.19, 0.21, 0.5])
    many = run_many(sgd(lr=lrs), q, np.tile(q.start, (len(lrs), 1)), 200)
    art = plotting.plot_lr_sweep(lrs, many, ax=ax, L=q.L, f_star=0.0)
    np.testing.assert_array_equal(art.diverged.get_xdata(), [0.21, 0.5])
    np.testing.assert_array_equal(art.line.get_xdata(), [0.01, 0.1, 0.19])
    assert art.threshold.get_xdata()[0] == pytest.approx(0.2)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="one final loss per learning rate"):
        plotting.plot_lr_sweep(lrs, [1.0, 2.0], ax=ax)
