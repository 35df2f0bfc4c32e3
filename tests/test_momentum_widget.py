"""The momentum explorer (chapter 05) driven without a browser.

References are independent of gdlearn.optim: hand-written heavy-ball and
Nesterov loops in their textbook forms, torch.optim.SGD where installed,
and the eigenvalues of the 2x2 iteration matrices for the rates.
"""
from __future__ import annotations

import html
import math
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402
from matplotlib.backend_bases import MouseEvent  # noqa: E402

from gdlearn.surfaces import quadratic, rosenbrock  # noqa: E402
from gdlearn.widgets.momentum import MomentumExplorer, momentum_explorer, momentum_rate  # noqa: E402

SMALL = (6.0, 2.8)
QUAD = "quadratic (κ = 100)"


@pytest.fixture(scope="module")
def shared():
    ex = momentum_explorer(figsize=SMALL)
    yield ex
    ex.close()


@pytest.fixture
def explorer(shared):
    shared.update(surface="rosenbrock", lr=1e-3, momentum=0.9, nesterov=False, steps=150,
                  x0=-1.2, y0=1.0)
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


def heavy_ball_textbook(grad, x0, lr, beta, steps):
    """Polyak: x_{k+1} = x_k - lr grad(x_k) + beta (x_k - x_{k-1}), with x_{-1} = x_0."""
    x_prev = x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(steps):
        x, x_prev = x - lr * grad(x) + beta * (x - x_prev), x
        xs.append(x)
    return np.array(xs)


def nesterov_textbook(grad, x0, lr, beta, steps):
    """Nesterov: y_k = x_k + beta (x_k - x_{k-1}), x_{k+1} = y_k - lr grad(y_k); returns the y_k.

    torch's nesterov=True iterates are these look-ahead points y_k.
    """
    x_prev = x = np.array(x0, dtype=float)
    ys = []
    for _ in range(steps + 1):
        y = x + beta * (x - x_prev)
        ys.append(y)
        x, x_prev = y - lr * grad(y), x
    return np.array(ys)


def companion_rate(lr, beta, eigenvalues, nesterov):
    """Spectral radius of the 2x2 iteration matrices, from numpy's eigenvalues."""
    rates = []
    for lam in eigenvalues:
        if nesterov:   # state (x_k, b_{k-1}) of torch's form on f = lam x^2 / 2
            M = np.array([[1 - lr * lam * (1 + beta), -lr * beta**2], [lam, beta]])
        else:          # state (x_k, x_{k-1}) of Polyak's form
            M = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
        rates.append(np.max(np.abs(np.linalg.eigvals(M))))
    return max(rates)


# ---------------------------------------------------------------- parts
def test_parts_exist(explorer):
    c = explorer.controls
    assert set(c) == {"surface", "lr", "momentum", "nesterov", "x0", "y0", "steps"}
    assert isinstance(c["lr"], ipywidgets.FloatLogSlider) and c["lr"].description == "step size α"
    assert isinstance(c["momentum"], ipywidgets.FloatSlider) and c["momentum"].description == "momentum β"
    assert (c["momentum"].min, c["momentum"].max) == (0.0, 0.99)
    assert isinstance(c["nesterov"], ipywidgets.Checkbox) and c["nesterov"].description == "Nesterov"
    assert list(c["surface"].options) == [QUAD, "rosenbrock"]
    assert isinstance(explorer, MomentumExplorer)
    assert isinstance(explorer.widget, ipywidgets.VBox)


# ---------------------------------------------------------------- the drawn paths
def test_drawn_path_is_the_textbook_heavy_ball(explorer):
    explorer.update(lr=1.2e-3, momentum=0.85, x0=-1.0, y0=2.0, steps=150)
    assert explorer.trace.status == "max_steps"
    expected = heavy_ball_textbook(rosenbrock.grad, [-1.0, 2.0], 1.2e-3, 0.85, 150)
    a = explorer.artists
    np.testing.assert_allclose(a["path"].get_xdata(), expected[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a["path"].get_ydata(), expected[:, 1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.ravel(a["end"].get_xydata()), expected[-1], rtol=1e-10)
    np.testing.assert_array_equal(np.ravel(a["start"].get_xydata()), [-1.0, 2.0])
    np.testing.assert_allclose(a["loss"].get_ydata(), rosenbrock.f(expected.T), rtol=1e-9, atol=1e-14)
    # the faint comparison is plain gradient descent with the same step size
    gd = heavy_ball_textbook(rosenbrock.grad, [-1.0, 2.0], 1.2e-3, 0.0, 150)
    np.testing.assert_allclose(a["gd_path"].get_xdata(), gd[:, 0], rtol=1e-12)
    np.testing.assert_allclose(a["gd_loss"].get_ydata(), rosenbrock.f(gd.T), rtol=1e-10)
    # the sliders follow values set through update()
    assert explorer.controls["momentum"].value == pytest.approx(0.85)
    assert explorer.controls["lr"].value == pytest.approx(1.2e-3)


def test_moving_the_momentum_slider_redraws_the_path(explorer):
    explorer.controls["momentum"].value = 0.5
    expected = heavy_ball_textbook(rosenbrock.grad, rosenbrock.start, 1e-3, 0.5, 150)
    np.testing.assert_allclose(explorer.artists["path"].get_ydata(), expected[:, 1], rtol=1e-10)
    assert explorer.values["momentum"] == 0.5


def test_nesterov_checkbox_draws_the_look_ahead_points(explorer):
    explorer.controls["nesterov"].value = True
    expected = nesterov_textbook(rosenbrock.grad, rosenbrock.start, 1e-3, 0.9, 150)
    np.testing.assert_allclose(explorer.artists["path"].get_xdata(), expected[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(explorer.artists["path"].get_ydata(), expected[:, 1], rtol=1e-9, atol=1e-12)
    assert explorer.artists["path"].get_label() == "Nesterov"
    assert explorer.status_text.startswith("Nesterov, α = 0.001, β = 0.90")
    # beta = 0 is gradient descent, with or without the checkbox
    explorer.update(momentum=0.0)
    gd = heavy_ball_textbook(rosenbrock.grad, rosenbrock.start, 1e-3, 0.0, 150)
    np.testing.assert_allclose(explorer.artists["path"].get_xdata(), gd[:, 0], rtol=1e-12)
    assert explorer.error is None


def test_matches_torch_sgd(explorer):
    torch = pytest.importorskip("torch")
    for nesterov in (False, True):
        explorer.update(lr=8e-4, momentum=0.9, nesterov=nesterov, steps=100)
        p = torch.tensor(rosenbrock.start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=8e-4, momentum=0.9, nesterov=nesterov)
        xs = [p.detach().numpy().copy()]
        for _ in range(100):
            opt.zero_grad()
            x, y = p[0], p[1]
            ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
            opt.step()
            xs.append(p.detach().numpy().copy())
        np.testing.assert_allclose(explorer.artists["path"].get_xydata(), np.array(xs), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- start by clicking
def test_click_moves_the_start(explorer):
    explorer.on_click(SimpleNamespace(inaxes=explorer.ax, xdata=0.5, ydata=-0.25, button=1))
    assert (explorer.values["x0"], explorer.values["y0"]) == (0.5, -0.25)
    assert (explorer.controls["x0"].value, explorer.controls["y0"].value) == (0.5, -0.25)
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata()[0], [0.5, -0.25])
    expected = heavy_ball_textbook(rosenbrock.grad, [0.5, -0.25], 1e-3, 0.9, 150)
    np.testing.assert_allclose(explorer.artists["path"].get_xydata(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("event", [
    SimpleNamespace(inaxes=None, xdata=None, ydata=None, button=1),   # outside every axes
    "loss axes",
    SimpleNamespace(inaxes="contours", xdata=0.3, ydata=0.3, button=3),  # right button
])
def test_clicks_elsewhere_are_ignored(explorer, event):
    if event == "loss axes":
        event = SimpleNamespace(inaxes=explorer.loss_ax, xdata=50.0, ydata=1.0, button=1)
    elif event.inaxes == "contours":
        event.inaxes = explorer.ax
    before = explorer.artists["path"].get_xydata().copy()
    explorer.on_click(event)
    assert (explorer.values["x0"], explorer.values["y0"]) == (-1.2, 1.0)
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata(), before)


def test_clicks_while_zooming_are_ignored(explorer):
    explorer.fig.canvas.toolbar = SimpleNamespace(mode="zoom rect")
    try:
        explorer.on_click(SimpleNamespace(inaxes=explorer.ax, xdata=0.3, ydata=0.3, button=1))
        assert explorer.values["x0"] == -1.2
    finally:
        explorer.fig.canvas.toolbar = None


def test_a_real_mouse_event_on_the_canvas_moves_the_start(explorer):
    explorer.fig.canvas.draw()                      # layout and transforms in place
    px, py = explorer.ax.transData.transform((0.75, 2.0))
    event = MouseEvent("button_press_event", explorer.fig.canvas, px, py, button=1)
    explorer.fig.canvas.callbacks.process("button_press_event", event)
    assert explorer.values["x0"] == pytest.approx(0.75, abs=0.02)
    assert explorer.values["y0"] == pytest.approx(2.0, abs=0.02)
    assert explorer.artists["path"].get_xdata()[0] == explorer.values["x0"]


# ---------------------------------------------------------------- rates on quadratics
def test_rate_theory_is_the_spectral_radius():
    for lr, beta, nesterov in [(0.01, 0.5, False), (0.03, 0.9, False), (0.02, 0.3, True),
                               (0.005, 0.95, True), (0.019, 0.0, False), (0.05, 0.6, False)]:
        assert momentum_rate(lr, beta, [1.0, 100.0], nesterov) == pytest.approx(
            companion_rate(lr, beta, [1.0, 100.0], nesterov), rel=1e-7)
    # beta = 0 is gradient descent's max |1 - lr lambda|
    assert momentum_rate(0.015, 0.0, [1.0, 100.0]) == pytest.approx(0.985)
    with pytest.raises(ValueError, match="momentum must be in"):
        momentum_rate(0.01, 1.0, [1.0])


def test_measured_rate_against_theory(explorer):
    explorer.update(surface=QUAD)
    s = explorer.surfaces[QUAD]
    sqk = math.sqrt(s.L / s.mu)
    # the dropdown brings Polyak's optimum for this quadratic
    assert explorer.values["lr"] == pytest.approx(4 / (math.sqrt(s.L) + math.sqrt(s.mu)) ** 2)
    assert explorer.values["momentum"] == pytest.approx(((sqk - 1) / (sqk + 1)) ** 2)
    assert explorer.rate_theory == pytest.approx((sqk - 1) / (sqk + 1), rel=1e-6)
    assert explorer.rate_measured == pytest.approx(explorer.rate_theory, rel=0.03)
    assert f"theory {explorer.rate_theory:.3f}" in explorer.status_text
    # away from the double root measurement and theory agree more closely
    explorer.update(lr=0.01, momentum=0.5, steps=600)
    d = np.linalg.norm(explorer.trace.xs, axis=1)
    end = len(d) - 1
    assert explorer.rate_measured == pytest.approx((d[end] / d[end // 2]) ** (1 / (end - end // 2)))
    assert explorer.rate_measured == pytest.approx(companion_rate(0.01, 0.5, [1.0, 100.0], False), rel=2e-3)
    # Rosenbrock has no such theory
    explorer.update(surface="rosenbrock")
    assert explorer.rate_theory is None and "theory" not in explorer.status_text
    assert not explorer.artists["theory"].get_visible()


def test_changing_surface_resets_start_and_parameters(explorer):
    explorer.update(surface=QUAD)
    q = quadratic(100.0)
    assert (explorer.values["x0"], explorer.values["y0"]) == tuple(q.start)
    assert explorer.ax.get_xlim() == q.domain[0]
    explorer.update(surface="rosenbrock", momentum=0.5)      # given values win over the defaults
    assert explorer.values["momentum"] == 0.5 and explorer.values["lr"] == 1e-3
    assert explorer.controls["y0"].max == rosenbrock.domain[1][1]


# ---------------------------------------------------------------- divergence and errors
@pytest.mark.parametrize("nesterov", [False, True])
def test_divergence_message(explorer, nesterov):
    explorer.update(surface=QUAD, nesterov=nesterov, momentum=0.5, steps=200)
    L = explorer.surfaces[QUAD].L
    limit = 2 * 1.5 / L if not nesterov else 2 * 1.5 / (2 * L)
    explorer.update(lr=0.98 * limit)
    assert explorer.trace.status != "diverged" and explorer.rate_theory < 1
    explorer.update(lr=1.05 * limit)
    assert explorer.trace.status == "diverged" and explorer.rate_theory > 1
    formula = "2(1+β)/((1+2β)L)" if nesterov else "2(1+β)/L"
    msg = (f"diverged at step {explorer.trace.diverged_at}: α = {1.05 * limit:.3g} > "
           f"{formula} = {limit:.3g}")
    assert explorer.status_text.startswith(msg)
    assert html.escape(msg) in explorer.status.value
    assert explorer.artists["message"].get_text() == msg and explorer.artists["message"].get_visible()
    assert explorer.artists["end"].get_marker() == "X"
    assert explorer.error is None and explorer.output.outputs == ()
    # without a known L the run's own message is shown
    explorer.update(surface="rosenbrock", lr=0.02)
    first, gd_part = explorer.status_text.split(" | ")
    assert first == explorer.trace.message and first.startswith("diverged at step")
    assert gd_part == f"gd (β = 0), same α: diverged at step {explorer.gd_trace.diverged_at}"
    assert explorer.error is None


def test_bad_values_are_shown_not_raised(explorer):
    before = explorer.artists["path"].get_xydata().copy()
    explorer.update(momentum=1.0)
    assert isinstance(explorer.error, ValueError)
    assert "momentum β must be in [0, 1), got 1.0" in _stderr(explorer)
    assert explorer.values["momentum"] == 0.9
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata(), before)
    explorer.update(nesterov="yes")
    assert isinstance(explorer.error, TypeError)
    explorer.update(lr=0.0)
    assert "lr must be > 0" in _stderr(explorer)
    explorer.update(momentum=0.8)
    assert explorer.error is None and explorer.output.outputs == ()


def test_beta_changes_blit_and_reuse_the_gd_run(explorer):
    explorer.update(momentum=0.8)
    gd = explorer.gd_trace
    draws = [0]
    explorer.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    for beta in (0.5, 0.6, 0.7):
        explorer.update(momentum=beta)
    assert draws[0] == 0 and explorer.gd_trace is gd      # beta does not change plain GD
    explorer.update(lr=9e-4)
    assert explorer.gd_trace is not gd
    blitted = np.asarray(explorer.fig.canvas.buffer_rgba()).copy()
    explorer.fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(explorer.fig.canvas.buffer_rgba()), blitted)


def test_static_display_shows_the_numbers():
    ex = momentum_explorer(figsize=SMALL, steps=200)
    try:
        InteractiveShell.instance()
        with capture_output() as cap:
            ex._ipython_display_()
        assert any("image/png" in o.data for o in cap.outputs)
        text = ex.artists["message"].get_text()
        assert ex.artists["message"].get_visible()
        assert "heavy ball" in text and f"theory {ex.rate_theory:.3f}" in text
    finally:
        ex.close()


@pytest.mark.parametrize("surface", [QUAD, "rosenbrock"])
def test_message_box_leaves_the_start_visible(surface):
    # the static-display box (chapter 05's default size) must not cover the map or the start of the loss
    ex = momentum_explorer(steps=200)
    try:
        ex.update(surface=surface)
        InteractiveShell.instance()
        with capture_output():
            ex._ipython_display_()
        box = ex.artists["message"]
        assert box.get_visible() and box.get_text()
        ex.fig.canvas.draw()
        extent = box.get_bbox_patch().get_window_extent()
        assert not extent.overlaps(ex.ax.get_window_extent())            # nothing of the map is hidden
        for point in ex.artists["loss"].get_xydata():                      # nor the loss curve
            assert not extent.contains(*ex.loss_ax.transData.transform(point))
        assert not extent.overlaps(ex.loss_ax.get_legend().get_window_extent())
    finally:
        ex.close()


def test_contour_panel_widens_to_show_the_whole_path(explorer):
    """The heavy ball at Polyak's optimum swings past |y| = 3 on the kappa=100 bowl: the panel must show it."""
    explorer.update(surface=QUAD)
    q = quadratic(100.0)
    ys = explorer.trace.xs[:, 1]
    lo, hi = explorer.ax.get_ylim()
    assert lo <= ys.min() and ys.max() <= hi                                   # the whole swing is visible
    span = q.domain[1][1] - q.domain[1][0]
    assert q.domain[1][0] - 0.25 * span <= lo and hi <= q.domain[1][1] + 0.25 * span   # bounded widening
