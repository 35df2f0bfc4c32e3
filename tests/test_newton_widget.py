"""The Newton-vs-gradient-descent explorer (chapter 08) driven without a browser.

References are independent of gdlearn.second_order and gdlearn.optim: hand-written
Newton and gradient-descent loops using scipy's rosen_der / rosen_hess, the
second-order Taylor model evaluated by hand, and the published maximum of
Himmelblau's function.
"""
from __future__ import annotations

import html

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402
from scipy.optimize import rosen, rosen_der, rosen_hess  # noqa: E402

from gdlearn.surfaces import himmelblau, quadratic, rosenbrock  # noqa: E402
from gdlearn.widgets.newton import NewtonExplorer, newton_explorer, taylor_model_lines  # noqa: E402

SMALL = (6.0, 2.8)
QUAD = "quadratic (κ = 20)"
HIMMELBLAU_MAX = np.array([-0.270845, -0.923039])


@pytest.fixture(scope="module")
def shared():
    ex = newton_explorer(figsize=SMALL, steps=30)
    yield ex
    ex.close()


@pytest.fixture
def explorer(shared):
    shared.update(surface="rosenbrock", step=0, x0=-1.2, y0=1.0, damped=False, lr=1e-3)
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


def newton_textbook(x0, steps, tol=1e-10):
    x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(steps):
        if np.linalg.norm(rosen_der(x)) <= tol:
            break
        x = x - np.linalg.inv(rosen_hess(x)) @ rosen_der(x)
        xs.append(x)
    return np.array(xs)


def gd_textbook(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        xs.append(x)
    return np.array(xs)


def model_value(x, z):
    """Second-order Taylor model of Rosenbrock at x, evaluated at the points z (n, 2)."""
    d = z - x
    return rosen(x) + d @ rosen_der(x) + 0.5 * np.einsum("ni,ij,nj->n", d, rosen_hess(x), d)


# ---------------------------------------------------------------- parts
def test_parts_exist(explorer):
    c = explorer.controls
    assert set(c) == {"surface", "step", "damped", "lr", "x0", "y0"}
    assert isinstance(c["step"], ipywidgets.IntSlider) and c["step"].description == "step k"
    assert (c["step"].min, c["step"].max) == (0, 30)
    assert isinstance(explorer.play, ipywidgets.Play) and explorer.play.max == 30
    assert isinstance(c["damped"], ipywidgets.Checkbox) and c["damped"].description.startswith("damped Newton")
    assert isinstance(c["lr"], ipywidgets.FloatLogSlider) and c["lr"].description == "GD learning rate"
    assert list(c["surface"].options) == [QUAD, "rosenbrock", "himmelblau"]
    assert isinstance(explorer, NewtonExplorer) and isinstance(explorer.widget, ipywidgets.VBox)
    assert explorer.error_ax.get_yscale() == "log"
    # the Play button drives the step slider (linked in the front end)
    assert explorer.link.source == (explorer.play, "value") and explorer.link.target == (c["step"], "value")


# ---------------------------------------------------------------- paths
def test_paths_are_newton_and_gradient_descent(explorer):
    explorer.update(step=30)
    expected = newton_textbook([-1.2, 1.0], 30)
    a = explorer.artists
    np.testing.assert_allclose(a["newton_path"].get_xydata(), expected, rtol=1e-9, atol=1e-12)
    gd = gd_textbook(rosen_der, [-1.2, 1.0], 1e-3, 30)
    np.testing.assert_allclose(a["gd_path"].get_xydata(), gd, rtol=1e-12)
    np.testing.assert_allclose(a["gd_err"].get_ydata(), [rosen(x) for x in gd], rtol=1e-10)
    # Newton's error curve: f(x_k) - 0, drawn at the axis floor 1e-16 when smaller (0 included)
    newton_err = np.array([rosen(x) for x in expected])
    shown = a["newton_err"].get_ydata()
    np.testing.assert_allclose(shown, np.maximum(newton_err, 1e-16), rtol=1e-8)
    assert shown[-1] == 1e-16 and explorer.error_ax.get_ylim()[0] < 1e-16
    assert "converged at step" in explorer.status_text


def test_step_slider_shows_the_first_k_steps(explorer):
    full_newton = newton_textbook([-1.2, 1.0], 30)
    gd = gd_textbook(rosen_der, [-1.2, 1.0], 1e-3, 30)
    for k in (0, 1, 3, 12):
        explorer.controls["step"].value = k
        kn = min(k, len(full_newton) - 1)
        np.testing.assert_allclose(explorer.artists["newton_path"].get_xydata(), full_newton[: kn + 1], rtol=1e-9)
        np.testing.assert_allclose(np.ravel(explorer.artists["newton_now"].get_xydata()), full_newton[kn], rtol=1e-9)
        np.testing.assert_allclose(explorer.artists["gd_path"].get_xydata(), gd[: k + 1], rtol=1e-12)
        assert explorer.values["step"] == k
        assert explorer.status_text.startswith(f"step {k}:")


def test_model_is_the_taylor_quadratic_at_the_current_iterate(explorer):
    for k in (0, 1, 2, 4):
        explorer.update(step=k)
        xk = newton_textbook([-1.2, 1.0], 30)[k]
        center = xk - np.linalg.solve(rosen_hess(xk), rosen_der(xk))
        np.testing.assert_allclose(np.ravel(explorer.artists["model_center"].get_xydata()), center, rtol=1e-9)
        np.testing.assert_allclose(explorer.model_center, center, rtol=1e-9)
        pts = explorer.artists["model"].get_xydata()
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        assert len(pts) > 50
        values = model_value(xk, pts)
        _, _, levels = taylor_model_lines(rosenbrock, xk)
        # every drawn point lies on one of the levels (up to the grid's linear interpolation)
        spread = np.ptp(levels)
        nearest = np.min(np.abs(values[:, None] - levels[None, :]), axis=1)
        assert np.quantile(nearest, 0.95) < 0.02 * spread
        # one of the lines passes through x_k (when x_k is inside the plotted domain)
        inside = all(lo <= c <= hi for c, (lo, hi) in zip(xk, rosenbrock.domain))
        assert not inside or np.min(np.linalg.norm(pts - xk, axis=1)) < 0.1          # a grid cell: 4/69 wide
        # the center is the minimum of the model when the Hessian is positive definite
        if np.all(np.linalg.eigvalsh(rosen_hess(xk)) > 0):
            assert model_value(xk, center[None])[0] <= values.min() + 1e-9


def test_taylor_model_of_a_quadratic_is_itself():
    q = quadratic(5.0, angle=0.4)
    lines, center, levels = taylor_model_lines(q, np.array([1.5, -2.0]))
    np.testing.assert_allclose(center, [0.0, 0.0], atol=1e-12)
    pts = lines[np.all(np.isfinite(lines), axis=1)]
    f = q.f(pts.T)
    nearest = np.min(np.abs(f[:, None] - levels[None, :]), axis=1)
    assert np.quantile(nearest, 0.95) < 0.02 * np.ptp(levels)


# ---------------------------------------------------------------- non-convex, damped
def test_pure_newton_to_the_maximum_and_damped_to_a_minimum(explorer):
    explorer.update(surface="himmelblau")
    assert (explorer.values["x0"], explorer.values["y0"]) == tuple(himmelblau.start)
    assert explorer.values["lr"] == 0.01
    explorer.update(step=30)
    nt = explorer.newton_trace
    assert nt.status == "maximum"
    np.testing.assert_allclose(nt.x, HIMMELBLAU_MAX, atol=1e-5)
    assert "maximum" in explorer.status_text and explorer.status.value.startswith('<span style="color:')
    explorer.update(step=1)
    assert "negative definite" in explorer.status_text
    explorer.controls["damped"].value = True
    nt = explorer.newton_trace
    assert nt.status == "converged" and np.linalg.norm(himmelblau.minima - nt.x, axis=1).min() < 1e-6
    assert np.all(np.diff(nt.fs) < 0)
    path = explorer.artists["newton_path"].get_xydata()
    np.testing.assert_allclose(path, nt.xs[:2])
    explorer.update(step=30)
    assert "damped Newton converged at step" in explorer.status_text


def test_gradient_descent_divergence_is_a_message(explorer):
    explorer.update(surface=QUAD)
    q = explorer.surfaces[QUAD]
    assert explorer.values["lr"] == pytest.approx(1 / q.L)
    assert explorer.newton_trace.steps == 1                  # one Newton step on a quadratic
    explorer.update(lr=2.5 / q.L, step=30)
    gt = explorer.gd_trace
    assert gt.status == "diverged"
    assert f"gradient descent {gt.message}" in explorer.status_text
    assert html.escape(gt.message) in explorer.status.value
    assert explorer.error is None and explorer.output.outputs == ()
    assert explorer.artists["message"].get_visible()


def test_singular_hessian_is_a_message():
    # f = x^2 + y^4 has a singular Hessian on the x-axis
    from gdlearn.surfaces import Surface
    s = Surface("flat", lambda x: x[0] ** 2 + x[1] ** 4,
                lambda x: np.stack([2 * x[0], 4 * x[1] ** 3]),
                lambda x: np.array([[2.0 + 0 * x[0], 0 * x[0]], [0 * x[0], 12 * x[1] ** 2]]),
                minima=[[0.0, 0.0]], domain=((-2, 2), (-2, 2)), start=[1.0, 0.0])
    ex = newton_explorer(surfaces=s, figsize=(8.0, 3.6), steps=10)
    try:
        assert ex.newton_trace.status == "singular_hessian"
        assert "singular" in ex.status_text and ex.model_center is None
        assert ex.error is None
        ex.update(step=5)
        assert "singular Hessian at step 0" in ex.status_text
    finally:
        ex.close()


def test_bad_values_are_shown_not_raised(explorer):
    before = explorer.artists["newton_path"].get_xydata().copy()
    explorer.update(step=31)
    assert isinstance(explorer.error, ValueError) and "step must be in [0, 30]" in _stderr(explorer)
    explorer.update(damped="yes")
    assert isinstance(explorer.error, TypeError)
    explorer.update(lr=0.0)
    assert "lr must be > 0" in explorer.status_text
    explorer.update(surface="beale")
    assert isinstance(explorer.error, ValueError)
    np.testing.assert_array_equal(explorer.artists["newton_path"].get_xydata(), before)
    explorer.update(step=2)
    assert explorer.error is None and explorer.output.outputs == ()


def test_extreme_start_far_away_is_handled(explorer):
    explorer.update(x0=2.0, y0=-1.0, lr=0.05, step=30)     # gradient descent blows up on Rosenbrock
    assert explorer.error is None
    assert explorer.gd_trace.status == "diverged"
    assert explorer.newton_trace.status == "converged"


# ---------------------------------------------------------------- speed: blitting
def test_step_changes_blit_without_full_draws(explorer):
    explorer.update(step=1)
    trace = explorer.newton_trace
    draws = [0]
    explorer.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    for k in (2, 3, 4, 5):
        explorer.update(step=k)
    assert draws[0] == 0 and explorer.newton_trace is trace    # the runs are reused
    blitted = np.asarray(explorer.fig.canvas.buffer_rgba()).copy()
    explorer.fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(explorer.fig.canvas.buffer_rgba()), blitted)


def test_static_display_shows_the_numbers():
    ex = newton_explorer(figsize=SMALL, steps=20)
    try:
        InteractiveShell.instance()
        with capture_output() as cap:
            ex._ipython_display_()
        assert any("image/png" in o.data for o in cap.outputs)
        assert ex.artists["message"].get_visible()
        assert "step 0:" in ex.artists["message"].get_text()
    finally:
        ex.close()
