"""The clipping explorer (chapter 07) driven without a browser.

References are independent of gdlearn.optim: a hand-written gradient-descent
loop with torch's clipping rules (coefficient max_norm / (norm + 1e-6) clamped
at 1; entries cut to [-c, c]) on the closed form of the recurrence's loss, and
torch itself (autograd through the recurrence, clip_grad_norm_ /
clip_grad_value_, SGD) where installed.
"""
from __future__ import annotations

import html
import math
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from gdlearn.widgets.clipping import clipping_explorer, descend  # noqa: E402

SMALL = (7.0, 3.0)
T, TARGET = 20, 3.0
START = (1.12, -0.6)


@pytest.fixture(scope="module")
def shared():
    ex = clipping_explorer(figsize=SMALL)
    yield ex
    ex.close()


@pytest.fixture
def explorer(shared):
    shared.update(clip="by global norm", threshold=1.0, lr=0.02, steps=200, x0=START[0], y0=START[1])
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


def loss_and_grad(p):
    """Closed form: h_T = w^T + b (1 + w + ... + w^(T-1)), loss (h_T - y)^2 / 2, derivatives by hand."""
    w, b = p
    k = np.arange(T)
    hT = w ** T + b * np.sum(w ** k)
    dh_dw = T * w ** (T - 1) + b * np.sum(k[1:] * w ** (k[1:] - 1))
    dh_db = np.sum(w ** k)
    r = hT - TARGET
    return 0.5 * r * r, np.array([r * dh_dw, r * dh_db])


def textbook(clip, c, lr, x0, steps):
    """Gradient descent with torch's clipping, stopping like gdlearn.run at |x| > 100 * 1.5."""
    x = np.array(x0, dtype=float)
    xs = [x]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            _, g = loss_and_grad(x)
            if clip == "by global norm":
                g = g * min(1.0, c / (np.linalg.norm(g) + 1e-6))
            elif clip == "by value":
                g = np.clip(g, -c, c)
            x = x - lr * g
            if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 150:
                break
            xs.append(x)
    return np.array(xs)


# ---------------------------------------------------------------- the path
@pytest.mark.parametrize("clip", ["by global norm", "by value"])
def test_path_is_clipped_gradient_descent(explorer, clip):
    explorer.update(clip=clip, threshold=2.0, lr=0.01, steps=150)
    expected = textbook(clip, 2.0, 0.01, START, 150)
    a = explorer.artists
    np.testing.assert_allclose(a["path"].get_xydata(), expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.ravel(a["end"].get_xydata()), expected[-1], rtol=1e-9)
    np.testing.assert_allclose(a["loss"].get_ydata(), [loss_and_grad(p)[0] for p in expected], rtol=1e-9)
    np.testing.assert_allclose(a["raw_norm"].get_ydata(), [np.linalg.norm(loss_and_grad(p)[1]) for p in expected],
                               rtol=1e-9)
    used = explorer.clipped_norms[:-1]
    if clip == "by global norm":
        assert np.all(used <= 2.0 + 1e-9)
    else:
        assert np.all(used <= 2.0 * math.sqrt(2) + 1e-9)
    assert explorer.controls["clip"].value == clip and explorer.controls["threshold"].value == pytest.approx(2.0)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    for clip in ("by global norm", "by value"):
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.02)
        xs = [p.detach().numpy().copy()]
        for _ in range(120):
            opt.zero_grad()
            h = torch.tensor(1.0, dtype=torch.float64)
            for _ in range(T):
                h = p[0] * h + p[1]
            (0.5 * (h - TARGET) ** 2).backward()
            if clip == "by global norm":
                torch.nn.utils.clip_grad_norm_([p], 1.0)
            else:
                torch.nn.utils.clip_grad_value_([p], 1.0)
            opt.step()
            xs.append(p.detach().numpy().copy())
        from gdlearn.troubles import recurrence_surface
        trace = descend(clip, 1.0, 0.02, recurrence_surface(), START, 120)
        np.testing.assert_allclose(trace.xs, np.array(xs), rtol=1e-9, atol=1e-12)


def _hand_clipped_descent(clip, c, lr, f, grad, x0, steps, bound):
    """Clipped gradient descent written out with numpy: x <- x - lr * clip(grad f(x)) (torch's formulas).

    Returns the iterates and how the run ended: the step of divergence, "converged" or "max_steps".
    """
    x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        if not np.any(g):                                     # tol = 0: stop at an exact zero gradient
            return np.array(xs), "converged"
        if clip == "by value":
            g = np.clip(g, -c, c)
        elif clip == "by global norm":
            g = g * min(c / (np.linalg.norm(g) + 1e-6), 1.0)
        x = x - lr * g
        if not (np.all(np.isfinite(x)) and np.max(np.abs(x)) <= bound and np.isfinite(f(x))
                and np.all(np.isfinite(grad(x)))):
            return np.array(xs), len(xs)
        xs.append(x)
    return np.array(xs), "max_steps"


@pytest.mark.parametrize("clip,c,lr,x0", [
    ("none", 1.0, 0.02, START), ("none", 1.0, 1e-5, START), ("none", 1.0, 0.05, (0.2, 0.3)),
    ("by value", 0.5, 0.05, START), ("by global norm", 300.0, 0.02, START), ("by global norm", 1.0, 0.3, (-1.1, 1.0)),
])
def test_descend_is_clipped_gradient_descent(clip, c, lr, x0):
    """descend (run of chain(clip, sgd)) against the update written out by hand, divergence included."""
    from gdlearn.troubles import recurrence_surface
    s = recurrence_surface()
    bound = 100.0 * max(np.max(np.abs(np.asarray(s.domain))), np.max(np.abs(x0)))
    with np.errstate(all="ignore"):
        want, ending = _hand_clipped_descent(clip, c, lr, s.f, s.grad, x0, 300, bound)
    got = descend(clip, c, lr, s, x0, 300)
    np.testing.assert_allclose(got.xs, want, rtol=1e-12, atol=1e-14)
    if isinstance(ending, int):
        assert (got.status, got.diverged_at) == ("diverged", ending)
    else:
        assert (got.status, got.diverged_at) == (ending, None)
    np.testing.assert_allclose(got.grad_norms, [np.linalg.norm(s.grad(x)) for x in want], rtol=1e-12)


# ---------------------------------------------------------------- direction of the clipped step
def test_first_turn(explorer):
    _, g = loss_and_grad(np.array(START))
    explorer.update(clip="by global norm")
    assert explorer.first_turn < 1e-6
    explorer.update(clip="by value", threshold=1.0)
    u = np.clip(g, -1.0, 1.0)
    angle = math.degrees(math.acos(u @ g / (np.linalg.norm(u) * np.linalg.norm(g))))
    assert explorer.first_turn == pytest.approx(angle, abs=1e-6)
    assert f"turned {angle:.0f}°" in explorer.status_text
    explorer.update(threshold=1e5)            # above every entry: nothing is clipped, nothing turns
    assert explorer.first_turn == 0.0 and explorer.clipped_steps == 0


# ---------------------------------------------------------------- divergence and errors
def test_divergence_message_not_traceback(explorer):
    explorer.update(clip="none")
    tr = explorer.trace
    assert tr.status == "diverged" and tr.diverged_at == 1
    g = np.linalg.norm(loss_and_grad(np.array(START))[1])
    msg = f"diverged at step 1: a gradient of norm {g:.3g} times lr = 0.02 threw the iterate off the map (no clipping)"
    assert explorer.status_text == msg and html.escape(msg) in explorer.status.value
    assert explorer.artists["message"].get_visible() and explorer.artists["end"].get_marker() == "X"
    assert explorer.error is None and explorer.output.outputs == ()
    assert not explorer.artists["clipped_norm"].get_visible()
    explorer.update(lr=1e-5)                  # small enough to survive the wall without clipping
    assert explorer.trace.status != "diverged"


def test_clipping_threshold_too_high_diverges_again(explorer):
    # a clipped step is at most lr * c long: past the bound (100 times the map) it leaves, like no clipping
    explorer.update(threshold=1e4, lr=0.02)
    assert explorer.trace.status == "diverged" and explorer.trace.diverged_at == 1
    explorer.update(threshold=1e3)            # 20 long: off the valley, but still on the (large) map
    assert explorer.trace.status == "max_steps" and explorer.trace.f > 1e10
    explorer.update(threshold=1.0)
    assert explorer.trace.status == "max_steps"


def test_bad_values_are_shown_not_raised(explorer):
    before = explorer.artists["path"].get_xydata().copy()
    explorer.update(lr=0.0)
    assert isinstance(explorer.error, ValueError) and "lr must be > 0" in _stderr(explorer)
    explorer.update(clip="sideways")
    assert "clip must be one of" in explorer.status_text
    explorer.update(threshold=-1.0)
    assert "threshold must be > 0" in explorer.status_text
    explorer.update(steps=0)
    assert isinstance(explorer.error, ValueError)
    explorer.update(momentum=0.9)
    assert isinstance(explorer.error, TypeError)
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata(), before)
    explorer.update(lr=0.01)
    assert explorer.error is None and explorer.output.outputs == ()


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="clip must be one of"):
        clipping_explorer(clip="max")
    with pytest.raises(ValueError, match="x0 must be a point"):
        clipping_explorer(x0=(1.0, 2.0, 3.0))


# ---------------------------------------------------------------- controls, clicks, rendering
def test_sliders_drive_the_explorer(explorer):
    explorer.controls["lr"].value = 0.005
    assert explorer.values["lr"] == pytest.approx(0.005)
    np.testing.assert_allclose(explorer.artists["path"].get_xydata(),
                               textbook("by global norm", 1.0, explorer.values["lr"], START, 200), rtol=1e-9)
    explorer.controls["clip"].value = "none"
    assert explorer.values["clip"] == "none"


def test_click_moves_the_start(explorer):
    explorer.on_click(SimpleNamespace(inaxes=explorer.ax, xdata=0.2, ydata=0.4, button=1))
    assert (explorer.values["x0"], explorer.values["y0"]) == (0.2, 0.4)
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata()[0], [0.2, 0.4])
    explorer.on_click(SimpleNamespace(inaxes=explorer.loss_ax, xdata=5.0, ydata=1.0, button=1))
    explorer.on_click(SimpleNamespace(inaxes=explorer.ax, xdata=0.9, ydata=0.9, button=3))
    assert (explorer.values["x0"], explorer.values["y0"]) == (0.2, 0.4)


def test_updates_blit(explorer):
    explorer.update(lr=0.011)
    draws = [0]
    explorer.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    for lr in (0.012, 0.013, 0.014):
        explorer.update(lr=lr)
    explorer.update(clip="by value")
    explorer.update(threshold=3.0)
    assert draws[0] == 0
    blitted = np.asarray(explorer.fig.canvas.buffer_rgba()).copy()
    explorer.fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(explorer.fig.canvas.buffer_rgba()), blitted)


def test_static_display_shows_a_png_and_the_numbers():
    ex = clipping_explorer(figsize=SMALL)
    try:
        InteractiveShell.instance()
        with capture_output() as cap:
            ex._ipython_display_()
        assert any("image/png" in o.data for o in cap.outputs)
        assert ex.artists["message"].get_visible()
        assert "clipping by global norm" in ex.artists["message"].get_text()
    finally:
        ex.close()


@pytest.mark.parametrize("clip", ["by global norm", "by value"])
def test_clipped_steps_counts_the_steps_where_the_block_acted(explorer, clip):
    """From a start inside the map the run converges to |g| ~ 1e-15; round-off there must not count."""
    explorer.update(clip=clip, threshold=1.0, lr=0.02, steps=200, x0=0.0, y0=0.5)
    xs = explorer.trace.xs[:-1]                                   # each iterate a step starts from
    g = np.array([loss_and_grad(x)[1] for x in xs])
    acted = (np.linalg.norm(g, axis=1) + 1e-6 > 1.0) if clip == "by global norm" else np.any(np.abs(g) > 1.0, axis=1)
    assert explorer.trace.fs[-1] < 1e-20 and np.linalg.norm(g[-1]) < 1e-6    # converged: tiny gradients at the end
    assert explorer.clipped_steps == int(acted.sum()) > 0
    assert f"clipped at {int(acted.sum())} of" in explorer.status_text
