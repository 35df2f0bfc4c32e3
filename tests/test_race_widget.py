"""The optimizer race (chapter 06) driven without a browser.

References are independent of the widget: direct ``gdlearn.run.run`` calls,
hand-written loops of the published update rules (SGD, Kingma & Ba's Adam
with torch's epsilon placement, Tieleman & Hinton's RMSprop, Duchi et al.'s
Adagrad), and torch.optim where installed.
"""
from __future__ import annotations

import html
import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from gdlearn.optim import adam, sgd  # noqa: E402
from gdlearn.run import run  # noqa: E402
from gdlearn.surfaces import beale, rosenbrock, saddle  # noqa: E402
from gdlearn import style  # noqa: E402
from gdlearn.widgets.race import (DIVERGED_MARKER, RACE_OPTIMIZERS, RACE_STYLES, RaceExplorer,  # noqa: E402
                                  default_lr, optimizer_race, race_style)

SMALL = (7.0, 3.0)
ALL = tuple(RACE_OPTIMIZERS)


@pytest.fixture(scope="module")
def shared():
    ex = optimizer_race(steps=120, figsize=SMALL)
    yield ex
    ex.close()


@pytest.fixture
def race(shared):
    shared.update(surface="beale")       # a surface change resets the start and the learning rates
    shared.update(surface="rosenbrock", optimizers=("SGD", "momentum", "RMSprop", "Adam"), step=120)
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


# ---------------------------------------------------------------- textbook references
def sgd_loop(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        xs.append(x)
    return np.array(xs)


def adam_loop(grad, x0, lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    """Kingma & Ba's Adam, with epsilon after the bias-corrected square root (torch's code)."""
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    xs = [x]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)
        xs.append(x)
    return np.array(xs)


def rmsprop_loop(grad, x0, lr, steps, alpha=0.99, eps=1e-8):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        v = alpha * v + (1 - alpha) * g * g
        x = x - lr * g / (np.sqrt(v) + eps)
        xs.append(x)
    return np.array(xs)


def adagrad_loop(grad, x0, lr, steps, eps=1e-10):
    x = np.array(x0, dtype=float)
    s = np.zeros_like(x)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        s = s + g * g
        x = x - lr * g / (np.sqrt(s) + eps)
        xs.append(x)
    return np.array(xs)


def _path(ex, name):
    return ex.artists[f"path:{name}"].get_xydata()


# ---------------------------------------------------------------- parts
def test_parts_exist(race):
    c = race.controls
    assert set(c) == {"surface", "optimizers", "play", "step"} | {f"lr_{n.lower()}" for n in ALL}
    assert isinstance(c["optimizers"], ipywidgets.SelectMultiple) and list(c["optimizers"].options) == list(ALL)
    assert list(c["surface"].options) == ["rosenbrock", "beale", "quadratic (κ = 50)", "himmelblau", "saddle"]
    for n in ALL:
        s = c[f"lr_{n.lower()}"]
        assert isinstance(s, ipywidgets.FloatLogSlider) and s.description == f"{n} lr"
    assert isinstance(c["play"], ipywidgets.Play) and isinstance(c["step"], ipywidgets.IntSlider)
    assert c["step"].description == "step" and (c["step"].min, c["step"].max) == (0, 120)
    # the Play button drives the step slider in the browser
    assert race.link.source == (c["play"], "value") and race.link.target == (c["step"], "value")
    assert isinstance(race, RaceExplorer) and isinstance(race.widget, ipywidgets.VBox)


# ---------------------------------------------------------------- the drawn paths
def test_paths_are_the_runs_and_the_textbook_rules(race):
    race.update(lr_sgd=1.5e-3, lr_adam=0.05, lr_rmsprop=0.02, step=120)
    start = rosenbrock.start
    for name, lr in (("SGD", 1.5e-3), ("Adam", 0.05), ("RMSprop", 0.02)):
        direct = run(RACE_OPTIMIZERS[name](lr), rosenbrock, start, 120)
        np.testing.assert_array_equal(_path(race, name), direct.xs)   # exactly a direct run
    np.testing.assert_allclose(_path(race, "SGD"), sgd_loop(rosenbrock.grad, start, 1.5e-3, 120), rtol=1e-12)
    np.testing.assert_allclose(_path(race, "Adam"), adam_loop(rosenbrock.grad, start, 0.05, 120), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(_path(race, "RMSprop"), rmsprop_loop(rosenbrock.grad, start, 0.02, 120),
                               rtol=1e-10, atol=1e-12)
    # the loss curves are f(x_k) - f* at those iterates (f* = 0)
    ref = adam_loop(rosenbrock.grad, start, 0.05, 120)
    np.testing.assert_allclose(race.artists["loss:Adam"].get_ydata(), rosenbrock.f(ref.T), rtol=1e-9)
    # the sliders follow values set through update()
    assert race.controls["lr_adam"].value == pytest.approx(0.05)


def test_adagrad_and_torch(race):
    race.update(optimizers=("Adagrad", "Adam"), lr_adagrad=0.7, lr_adam=0.1)
    np.testing.assert_allclose(_path(race, "Adagrad"), adagrad_loop(rosenbrock.grad, rosenbrock.start, 0.7, 120),
                               rtol=1e-10, atol=1e-12)
    torch = pytest.importorskip("torch")
    p = torch.tensor(rosenbrock.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    xs = [p.detach().numpy().copy()]
    for _ in range(120):
        opt.zero_grad()
        ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2).backward()
        opt.step()
        xs.append(p.detach().numpy().copy())
    np.testing.assert_allclose(_path(race, "Adam"), np.array(xs), rtol=1e-10, atol=1e-12)


def test_step_slider_shows_the_first_k_plus_1_iterates(race):
    full = {n: race.traces[n].xs for n in race.values["optimizers"]}
    for k in (0, 1, 17, 120):
        race.controls["step"].value = k          # as the Play button does through jslink
        assert race.values["step"] == k
        for n, xs in full.items():
            np.testing.assert_array_equal(_path(race, n), xs[: k + 1])
            np.testing.assert_array_equal(race.artists[f"head:{n}"].get_xydata(), xs[k: k + 1])
            assert len(race.artists[f"loss:{n}"].get_xdata()) == k + 1
        assert race.status_text.startswith(f"step {k}: SGD: f = {rosenbrock.f(full['SGD'][k]):.3g}")
    assert np.array_equal(race.artists["now"].get_xdata(), [120, 120])


def test_a_step_change_runs_nothing_and_blits(race):
    traces = dict(race.traces)
    draws = [0]
    race.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    for k in (10, 50, 90):
        race.update(step=k)
    assert draws[0] == 0                                               # no full redraw
    assert all(race.traces[n] is traces[n] for n in traces)            # no run recomputed
    blitted = np.asarray(race.fig.canvas.buffer_rgba()).copy()
    race.fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(race.fig.canvas.buffer_rgba()), blitted)


def test_an_lr_change_recomputes_only_that_optimizer(race):
    before = dict(race.traces)
    race.controls["lr_momentum"].value = 5e-4
    assert race.traces["momentum"] is not before["momentum"]
    assert all(race.traces[n] is before[n] for n in ("SGD", "RMSprop", "Adam"))
    np.testing.assert_array_equal(_path(race, "momentum"),
                                  run(sgd(lr=5e-4, momentum=0.9), rosenbrock, rosenbrock.start, 120).xs)


# ---------------------------------------------------------------- choosing optimizers and surfaces
def test_choosing_optimizers_shows_and_hides_them(race):
    race.controls["optimizers"].value = ("Nesterov", "AdamW")
    assert race.values["optimizers"] == ("Nesterov", "AdamW")
    for n in ALL:
        assert race.artists[f"path:{n}"].get_visible() == (n in ("Nesterov", "AdamW"))
    texts = [t.get_text() for t in race.legend.get_texts()]
    assert texts == ["Nesterov", "AdamW"]
    race.update(optimizers=())
    assert race.error is None and race.status_text == "choose at least one optimizer"


def test_changing_surface_resets_start_and_lrs(race):
    race.update(surface="beale")
    assert (race.values["x0"], race.values["y0"]) == tuple(beale.start)
    assert race.values["lr_sgd"] == default_lr("beale", "SGD") == 0.01
    assert race.ax.get_title() == beale.name
    (x_lo, x_hi), (y_lo, y_hi) = race.ax.get_xlim(), race.ax.get_ylim()      # zoomed, inside the domain
    assert beale.domain[0][0] <= x_lo < x_hi <= beale.domain[0][1]
    assert beale.domain[1][0] <= y_lo < y_hi <= beale.domain[1][1]
    np.testing.assert_array_equal(_path(race, "Adam"), run(adam(lr=0.1), beale, beale.start, 120).xs)
    race.update(surface="rosenbrock", lr_adam=0.02)      # given values win over the defaults
    assert race.values["lr_adam"] == 0.02 and race.values["lr_sgd"] == 1e-3


def test_saddle_has_a_linear_loss_axis(race):
    race.update(surface="saddle")
    assert race.loss_ax.get_yscale() == "linear" and race.loss_ax.get_ylabel() == "$f(x_k)$"
    np.testing.assert_array_equal(race.artists["loss:SGD"].get_ydata(),
                                  run(sgd(lr=0.01), saddle, saddle.start, 120).fs)
    race.update(surface="rosenbrock")
    assert race.loss_ax.get_yscale() == "log"


# ---------------------------------------------------------------- divergence and errors
def test_divergence_stops_the_path_and_says_where(race):
    race.update(lr_sgd=0.01, step=120)
    t = race.traces["SGD"]
    assert t.status == "diverged"
    k = t.diverged_at
    assert len(_path(race, "SGD")) == t.steps + 1 == k            # the finite iterates only
    assert "SGD: diverged (X)" in [x.get_text() for x in race.legend.get_texts()]
    assert f"SGD: diverged at step {k}" in race.status_text
    assert race.artists["head:SGD"].get_marker() == DIVERGED_MARKER == "X"
    gone = race.artists["gone:SGD"]
    assert gone.get_visible() and gone.get_text() == "diverged"
    (x_lo, x_hi), (y_lo, y_hi) = race.ax.get_xlim(), race.ax.get_ylim()      # inside the axes, where it is seen
    gx, gy = gone.get_position()
    assert x_lo < gx < x_hi and y_lo < gy < y_hi
    assert html.escape("diverged") in race.status.value and "color" in race.status.value
    assert race.error is None and race.output.outputs == ()
    # before the step where it diverged, it is still racing
    race.update(step=k - 2)
    assert f"SGD: f = {rosenbrock.f(t.xs[k - 2]):.3g}" in race.status_text
    assert race.artists["head:SGD"].get_marker() == "o" and not race.artists["gone:SGD"].get_visible()


def test_bad_values_are_shown_not_raised(race):
    before = _path(race, "Adam").copy()
    race.update(lr_adam=0.0)
    assert isinstance(race.error, ValueError) and race.status_text == "⚠ ValueError: lr_adam must be > 0, got 0.0"
    assert "lr_adam must be > 0" in _stderr(race)
    assert race.values["lr_adam"] == 0.1
    np.testing.assert_array_equal(_path(race, "Adam"), before)
    race.update(step=1000)
    assert "step must be in [0, 120], got 1000" in race.status_text
    race.update(optimizers=("Adam", "LBFGS"))
    assert "unknown name(s) ['LBFGS']" in race.status_text
    race.update(surface="nowhere")
    assert isinstance(race.error, ValueError)
    race.update(colour="red")
    assert isinstance(race.error, TypeError)
    race.update(step=5)
    assert race.error is None and race.output.outputs == ()


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="unknown name 'Lion'"):
        optimizer_race(optimizers=["Adam", "Lion"])
    with pytest.raises(ValueError, match="surface must be one of"):
        optimizer_race(surface="everest")
    with pytest.raises(ValueError, match="x0 must be a point"):
        optimizer_race(x0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="steps must be in"):
        optimizer_race(steps=0)


def test_own_optimizers_and_start():
    ex = optimizer_race("rosenbrock", {"slow": lambda lr: sgd(lr=lr)}, x0=(0.5, 0.5), steps=30,
                        lrs={"slow": 1e-4}, figsize=SMALL)
    try:
        assert ex.values["optimizers"] == ("slow",) and ex.values["lr_slow"] == 1e-4
        np.testing.assert_allclose(_path(ex, "slow"), sgd_loop(rosenbrock.grad, [0.5, 0.5], 1e-4, 30), rtol=1e-12)
    finally:
        ex.close()


def test_static_display_renders_a_png():
    ex = optimizer_race(steps=60, figsize=SMALL)
    try:
        InteractiveShell.instance()
        with capture_output() as cap:
            ex._ipython_display_()
        pngs = [o.data["image/png"] for o in cap.outputs if "image/png" in o.data]
        assert pngs and len(pngs[0]) > 10_000
        assert not ex.interactive
    finally:
        ex.close()


def test_every_optimizer_has_its_own_colour_and_marker():
    """Eight paths told apart at a glance: distinct colours from the colour-blind-safe
    palette, distinct markers, and the diverged marker used by none of them."""
    names = list(RACE_OPTIMIZERS)
    styles = [race_style(n) for n in names]
    colours = [st["color"] for st in styles]
    markers = [st["marker"] for st in styles]
    assert set(RACE_STYLES) == set(names)
    assert len(set(colours)) == len(names) and set(colours) <= set(style.PALETTE.values())
    assert len(set(markers)) == len(names) and DIVERGED_MARKER not in markers and "x" not in markers
    assert "*" not in markers                                   # the minimum's star
    ex = optimizer_race(optimizers=names, steps=20, figsize=SMALL)
    try:
        for n in names:
            assert ex.artists[f"path:{n}"].get_color() == race_style(n)["color"]
            assert ex.artists[f"head:{n}"].get_marker() == race_style(n)["marker"]
    finally:
        ex.close()


def test_close_hues_have_different_line_styles():
    """Momentum and Adam (and every pair of similar Okabe–Ito hues) differ by line style too."""
    P = style.PALETTE
    close = [{P["orange"], P["vermillion"], P["yellow"]}, {P["blue"], P["sky_blue"]}]
    for group in close:
        styles = [race_style(n)["linestyle"] for n in RACE_STYLES if race_style(n)["color"] in group]
        assert len(set(styles)) == len(styles), (group, styles)
    mom, adam_ = race_style("momentum"), race_style("Adam")
    assert mom["color"] != adam_["color"] and mom["linestyle"] != adam_["linestyle"]
    assert {mom["color"], adam_["color"]} not in [g for g in close]


def test_loss_axis_fits_the_losses_shown(race):
    """The log loss axis spans the losses of the race, with less than a decade to spare each side."""
    shown = [race._loss[n] for n in race.values["optimizers"]]
    lo_data = min(np.nanmin(y) for y in shown)
    hi_data = max(np.nanmax(y) for y in shown)
    lo, hi = race.loss_ax.get_ylim()
    assert lo <= lo_data and hi >= hi_data
    assert lo_data / lo <= 20 and hi / hi_data <= 20           # refit when more than ten times too wide


def test_overlapping_paths_stay_visible():
    """Paths that share a valley floor both show: momentum's line is wider than Adam's and
    drawn under it (in the static PNG and in the blitted frames alike), no line carries a white
    halo that would erase a wider line beneath it, and each path and loss curve carries its own
    marker, at offsets that differ between optimizers."""
    mom, adam_ = race_style("momentum"), race_style("Adam")
    assert mom["linewidth"] >= 2 * adam_["linewidth"]
    assert max(st["linewidth"] for st in RACE_STYLES.values()) <= 3.0     # none thick enough to hide markers
    names = list(RACE_OPTIMIZERS)
    ex = optimizer_race(optimizers=names, steps=120, figsize=SMALL)
    try:
        a = ex.artists
        assert a["path:momentum"].get_linewidth() == mom["linewidth"]
        assert a["path:Adam"].get_zorder() > a["path:momentum"].get_zorder()
        widths = {n: a[f"path:{n}"].get_linewidth() for n in names}
        assert all(a[f"path:{n}"].get_zorder() > a[f"path:{m}"].get_zorder()      # thinner above wider
                   for n in names for m in names if widths[n] < widths[m])
        for n in names:                      # a halo only as a dark edge on the yellow line
            for effect in a[f"path:{n}"].get_path_effects() or []:
                assert race_style(n)["color"] == style.PALETTE["yellow"]
                assert effect._gc.get("foreground") != "white"
        order = ex._moving_artists()
        assert order.index(a["path:Adam"]) > order.index(a["path:momentum"])          # blit order = z-order
        assert all(order.index(a[f"head:{n}"]) > order.index(a[f"path:{m}"]) for n in names for m in names)
        path_offsets, loss_offsets, every = set(), set(), None
        for n in names:
            marks, loss = a[f"marks:{n}"], a[f"loss:{n}"]
            assert marks.get_marker() == race_style(n)["marker"] and marks.get_linestyle() == "None"
            np.testing.assert_array_equal(marks.get_xydata(), ex.traces[n].xs)    # the whole path, step 120
            # path markers: evenly spaced along the drawn path (a fraction of the axes), so a slow
            # optimizer's short path is not buried under its own markers; loss markers: by step
            start, spacing = marks.get_markevery()
            assert isinstance(spacing, float) and 0 < start < spacing < 0.5
            path_offsets.add(start)
            start, step = loss.get_markevery()
            assert loss.get_marker() == race_style(n)["marker"]
            assert every in (None, step) and 1 < step < 120
            every = step
            loss_offsets.add(start)
        assert len(path_offsets) == len(loss_offsets) == len(names)         # staggered: no two coincide
        ex.update(optimizers=("SGD",))
        assert not a["marks:Adam"].get_visible() and a["marks:SGD"].get_visible()
    finally:
        ex.close()


def _legend_labels(legend):
    return [t.get_text() for t in legend.get_texts()]


def test_both_panels_have_a_legend_of_the_optimizers_shown():
    """The path panel is keyed too (not only the loss panel): the same entries, with each
    optimizer's colour and marker, updated when the choice changes or a run diverges; with
    more than four optimizers only the loss panel keeps its key (two columns would hide paths)."""
    ex = optimizer_race(steps=120, figsize=SMALL)
    try:
        shown = list(ex.values["optimizers"])
        ex.fig.canvas.draw()
        assert ex.path_legend is not None and ex.path_legend.axes is ex.ax
        assert ex.legend.axes is ex.loss_ax
        assert _legend_labels(ex.path_legend) == _legend_labels(ex.legend) == shown
        for handle, n in zip(ex.path_legend.legend_handles, shown):
            assert handle.get_color() == race_style(n)["color"] and handle.get_marker() == race_style(n)["marker"]
        ex.update(optimizers=("SGD", "Adagrad"))
        assert _legend_labels(ex.path_legend) == ["SGD", "Adagrad"]
        ex.update(lr_sgd=0.008)                                   # SGD diverges on Rosenbrock
        assert _legend_labels(ex.path_legend)[0] == "SGD: diverged (X)"
        assert len([c for c in ex.ax.get_children() if type(c).__name__ == "Legend"]) == 1   # the old one removed
        ex.update(optimizers=tuple(ex.optimizers))                # all eight: a 2-column key would cover the paths
        assert ex.path_legend is None and not [c for c in ex.ax.get_children() if type(c).__name__ == "Legend"]
        assert len(_legend_labels(ex.legend)) == len(ex.optimizers)   # the loss panel's key names every one
        ex.update(optimizers=("SGD", "Adam"))
        assert _legend_labels(ex.path_legend) == ["SGD: diverged (X)", "Adam"]
    finally:
        ex.close()


def test_static_figure_zooms_to_the_paths_and_keeps_the_start_visible():
    """The default race (what a reader without a kernel sees): the path panel holds every iterate,
    the start and the minimum, in under half the domain's area; the start ring lies above every
    path and marker; the contours are pale; neither a Play frame nor a learning rate moves the view."""
    race = optimizer_race()
    try:
        (x_lo, x_hi), (y_lo, y_hi) = race.ax.get_xlim(), race.ax.get_ylim()
        (dx_lo, dx_hi), (dy_lo, dy_hi) = rosenbrock.domain
        for n in race.values["optimizers"]:      # every iterate drawn is inside the panel
            xs = np.asarray(race.traces[n].xs)
            assert np.all((xs[:, 0] > x_lo) & (xs[:, 0] < x_hi) & (xs[:, 1] > y_lo) & (xs[:, 1] < y_hi)), n
        for px, py in [rosenbrock.start, (1.0, 1.0)]:                      # the start and the minimum
            assert x_lo < px < x_hi and y_lo < py < y_hi
        assert (x_hi - x_lo) * (y_hi - y_lo) < 0.5 * (dx_hi - dx_lo) * (dy_hi - dy_lo)   # zoomed in
        a = race.artists
        assert all(a["start"].get_zorder() > a[f"{part}:{n}"].get_zorder()
                   for n in race.values["optimizers"] for part in ("path", "marks"))
        assert race._contours.lines.get_alpha() < 1 and race._contours.filled.get_alpha() < 1
        race.update(step=10)                                               # a Play frame
        assert race.ax.get_xlim() == (x_lo, x_hi) and race.ax.get_ylim() == (y_lo, y_hi)
        race.update(lr_sgd=1e-3)                                           # a learning rate: the view stays
        assert race.ax.get_xlim() == (x_lo, x_hi) and race.ax.get_ylim() == (y_lo, y_hi)
    finally:
        race.close()
