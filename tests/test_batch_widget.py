"""The batch-size explorer (chapter 04) driven without a browser.

The drawn data are checked against independent computations: mini-batch
gradients summed example by example in a Python loop, the full gradient by
central differences of the loss, SGD written as the textbook double loop over
epochs and batches, and the spread of the cloud against the variance of
sampling without replacement.
"""
from __future__ import annotations

import base64
import html
import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from gdlearn.widgets.batch import batch_size_explorer, minibatch_gradients, sgd_epochs  # noqa: E402

SMALL = (7.0, 3.0)
N = 80


def _problem():
    rng = np.random.default_rng(7)
    x = rng.uniform(-1.0, 2.0, N)
    X = np.column_stack([np.ones(N), x])
    y = 0.5 - 1.5 * x + 0.4 * rng.normal(size=N)
    return X, y


X, Y = _problem()


def loss(w):
    """1/(2n) sum (x_i . w - y_i)^2, example by example."""
    return sum((X[i] @ w - Y[i]) ** 2 for i in range(N)) / (2 * N)


def example_grad(i, w):
    return X[i] * (X[i] @ w - Y[i])


def batch_grad(idx, w):
    g = np.zeros(2)
    for i in idx:
        g += example_grad(i, w)
    return g / len(idx)


def numerical_grad(w, h=1e-6):
    e = np.eye(2)
    return np.array([(loss(w + h * e[j]) - loss(w - h * e[j])) / (2 * h) for j in range(2)])


@pytest.fixture(scope="module")
def shared():
    ex = batch_size_explorer((X, Y), batch_size=8, epochs=4, figsize=SMALL)
    yield ex
    ex.close()


@pytest.fixture
def explorer(shared):
    shared.update(batch_size=8, lr=0.3, epochs=4, seed=0)
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


# ---------------------------------------------------------------- parts
def test_parts(explorer):
    c = explorer.controls
    assert set(c) == {"batch_size", "lr", "epochs", "seed"}
    assert isinstance(c["batch_size"], ipywidgets.IntSlider) and c["batch_size"].description == "batch size"
    assert (c["batch_size"].min, c["batch_size"].max) == (1, N)
    assert isinstance(c["lr"], ipywidgets.FloatLogSlider) and c["lr"].description == "learning rate"
    assert isinstance(explorer.widget, ipywidgets.VBox)
    # the problem the explorer derived: least squares solution and curvature
    w_star = np.linalg.lstsq(X, Y, rcond=None)[0]
    np.testing.assert_allclose(explorer.w_star, w_star, rtol=1e-10)
    np.testing.assert_allclose(explorer.surface.grad(w_star), 0, atol=1e-12)
    assert explorer.L == pytest.approx(np.linalg.eigvalsh(X.T @ X / N).max())


# ---------------------------------------------------------------- drawn data vs independent computations
@pytest.mark.parametrize("b, seed", [(1, 0), (5, 3), (N, 1)])
def test_cloud_is_the_minibatch_gradients_of_the_same_seed(explorer, b, seed):
    explorer.update(batch_size=b, seed=seed)
    w0, s = explorer.w0, explorer.display_scale
    rng = np.random.default_rng(seed)
    expected = []
    for _ in range(explorer.n_samples):   # one row of keys per batch; the b smallest keys are the batch
        idx = np.argsort(rng.random(N))[:b]
        expected.append(batch_grad(idx, w0))
    expected = np.array(expected)
    drawn = np.column_stack(explorer.artists["cloud"].get_data())
    np.testing.assert_allclose(drawn, w0 - s * expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(explorer.cloud, expected, rtol=1e-12, atol=1e-12)
    # the arrow is the full gradient, here by central differences of the loss
    tail, head = explorer.artists["arrow"]._posA_posB
    np.testing.assert_array_equal(tail, w0)
    np.testing.assert_allclose(head, w0 - s * numerical_grad(w0), rtol=1e-6)


def test_cloud_spread_shrinks_with_batch_size_as_sampling_theory_says(explorer):
    w0 = explorer.w0
    full = numerical_grad(w0)
    per_example = np.array([example_grad(i, w0) for i in range(N)])
    sigma2 = np.mean(np.sum((per_example - full) ** 2, axis=1))   # total variance of one example's gradient
    spreads = []
    for b in (1, 2, 4, 8, 16, 32):
        explorer.update(batch_size=b)
        spreads.append(explorer.spread)
        theory = sigma2 / b * (N - b) / (N - 1)                   # sampling without replacement
        assert explorer.spread ** 2 == pytest.approx(theory, rel=0.25)
    assert np.all(np.diff(spreads) < 0)
    explorer.update(batch_size=N)
    assert explorer.spread < 1e-12                                # the whole set: no noise at all


def test_path_is_textbook_minibatch_sgd(explorer):
    b, lr, epochs, seed = 7, 0.2, 3, 5
    explorer.update(batch_size=b, lr=lr, epochs=epochs, seed=seed)
    rng = np.random.default_rng(seed)
    w = explorer.w0.copy()
    path, losses = [w.copy()], [loss(w)]
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, b):
            w = w - lr * batch_grad(order[start:start + b], w)
            path.append(w.copy())
            losses.append(loss(w))
    path = np.array(path)
    assert len(path) == 1 + epochs * int(np.ceil(N / b))           # 12 batches per epoch, the last of 3
    drawn = np.column_stack(explorer.artists["path"].get_data())
    np.testing.assert_allclose(drawn, path, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.ravel(explorer.artists["end"].get_xydata()), path[-1], rtol=1e-10)
    x, gap = explorer.artists["loss"].get_data()
    np.testing.assert_allclose(gap, np.array(losses) - loss(explorer.w_star), rtol=1e-8, atol=1e-12)
    assert x[-1] == epochs and x[1] == b / N                       # epochs = example gradients / n
    # full-batch gradient descent with the same learning rate, one step per epoch
    w = explorer.w0.copy()
    gd = [w]
    for _ in range(epochs):
        w = w - lr * numerical_grad(w)
        gd.append(w)
    _, gd_gap = explorer.artists["gd_loss"].get_data()
    np.testing.assert_allclose(gd_gap, [loss(v) - loss(explorer.w_star) for v in gd], rtol=1e-6)


def test_sgd_epochs_full_batch_is_gradient_descent():
    ws, seen, diverged_at = sgd_epochs(X, Y, [0.0, 0.0], lr=0.1, batch_size=N, epochs=5)
    w = np.zeros(2)
    for k in range(5):
        w = w - 0.1 * numerical_grad(w)
        np.testing.assert_allclose(ws[k + 1], w, rtol=1e-6)
    assert seen.tolist() == [0, N, 2 * N, 3 * N, 4 * N, 5 * N] and diverged_at is None


def test_minibatch_gradients_is_unbiased():
    g = minibatch_gradients(X, Y, np.array([1.0, 1.0]), batch_size=4, n_samples=20_000, seed=0)
    per_example = np.array([example_grad(i, np.array([1.0, 1.0])) for i in range(N)])
    se = np.sqrt(per_example.var(axis=0) / 4 / 20_000)
    assert np.all(np.abs(g.mean(axis=0) - per_example.mean(axis=0)) < 4 * se)


def test_moving_sliders_updates_the_figure(explorer):
    before = np.column_stack(explorer.artists["path"].get_data()).copy()
    explorer.controls["batch_size"].value = 3
    assert explorer.values["batch_size"] == 3
    after = np.column_stack(explorer.artists["path"].get_data())
    assert after.shape != before.shape
    cloud = explorer.cloud.copy()
    explorer.controls["seed"].value = 11
    assert not np.allclose(explorer.cloud, cloud)
    explorer.controls["lr"].value = 0.05
    assert explorer.values["lr"] == pytest.approx(0.05)
    explorer.controls["epochs"].value = 2
    assert explorer.artists["loss"].get_xdata()[-1] == 2 and explorer.loss_ax.get_xlim() == (0, 2)


# ---------------------------------------------------------------- messages, not tracebacks
def test_diverging_learning_rate_shows_a_message(explorer):
    explorer.update(batch_size=N, lr=5.0, epochs=30)
    assert explorer.error is None and explorer.output.outputs == ()
    assert explorer.diverged_at is not None
    assert explorer.status_text.startswith(f"diverged at step {explorer.diverged_at}")
    assert f"2/L = {2 / explorer.L:.3g}" in explorer.status_text
    assert explorer.artists["message"].get_visible()
    assert explorer.artists["end"].get_marker() == "X"
    # batches of one diverge at a smaller rate than the full batch can take
    lr = 1.9 / explorer.L
    explorer.update(batch_size=N, lr=lr)
    assert explorer.diverged_at is None
    explorer.update(batch_size=1)
    assert explorer.diverged_at is not None and "too large for batches of 1" in explorer.status_text
    assert "2/L" not in explorer.status_text


@pytest.mark.parametrize("values, kind, text", [
    (dict(batch_size=0), ValueError, f"batch size must be in [1, {N}], got 0"),
    (dict(batch_size=N + 1), ValueError, f"batch size must be in [1, {N}], got {N + 1}"),
    (dict(batch_size=2.5), TypeError, "batch size must be an int"),
    (dict(lr=-1.0), ValueError, "lr must be > 0, got -1.0"),
    (dict(lr=float("nan")), ValueError, "lr must be finite"),
    (dict(epochs=0), ValueError, "epochs must be in [1, 30], got 0"),
    (dict(momentum=0.9), TypeError, "unknown value"),
])
def test_bad_values_are_routed_to_the_output(explorer, values, kind, text):
    before = np.column_stack(explorer.artists["path"].get_data()).copy()
    explorer.update(**values)
    assert isinstance(explorer.error, kind)
    assert text in _stderr(explorer)
    assert html.escape(text) in explorer.status.value
    assert explorer.values == dict(batch_size=8, lr=0.3, epochs=4, seed=0)     # previous state kept
    np.testing.assert_array_equal(np.column_stack(explorer.artists["path"].get_data()), before)
    explorer.update(batch_size=9)
    assert explorer.error is None and explorer.output.outputs == ()


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        batch_size_explorer((np.ones((5, 3)), np.ones(5)))
    with pytest.raises(ValueError, match="linearly independent"):
        batch_size_explorer((np.ones((5, 2)), np.arange(5.0)))
    with pytest.raises(TypeError, match="data must be"):
        batch_size_explorer("moons")


# ---------------------------------------------------------------- rendering
def test_updates_blit_instead_of_redrawing(explorer):
    draws = [0]
    cid = explorer.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    try:
        for b in (1, 2, 5, 20, 40):
            explorer.update(batch_size=b)
        explorer.update(lr=0.1)
        explorer.update(seed=4)
        assert draws[0] == 0
        blitted = np.asarray(explorer.fig.canvas.buffer_rgba()).copy()
        explorer.fig.canvas.draw()
        np.testing.assert_array_equal(np.asarray(explorer.fig.canvas.buffer_rgba()), blitted)
    finally:
        explorer.fig.canvas.mpl_disconnect(cid)


def test_static_display_shows_the_current_figure():
    ex = batch_size_explorer((X, Y), batch_size=4, figsize=SMALL)
    try:
        InteractiveShell.instance()
        with capture_output() as cap:
            ex._ipython_display_()
            ex.update(batch_size=16)
        pngs = [o for o in cap.outputs if "image/png" in o.data]
        assert len(pngs) == 2 and pngs[1].update
        shown = pngs[1].data["image/png"]
        shown = base64.b64decode(shown) if isinstance(shown, str) else shown
        buf = io.BytesIO()
        ex.fig.savefig(buf, format="png")
        assert shown == buf.getvalue()
        assert "batch size 16" in ex.artists["message"].get_text()
    finally:
        ex.close()
