"""gdlearn.widgets driven without a browser: update() moves the artists, errors stay visible."""
from __future__ import annotations

import base64
import html
import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402
import matplotlib  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from gdlearn import widgets as W  # noqa: E402
from gdlearn.optim import sgd  # noqa: E402
from gdlearn.run import run  # noqa: E402
from gdlearn.surfaces import SURFACES, double_well, quadratic, rosenbrock  # noqa: E402

SMALL = (6.0, 2.8)  # small figures keep the tests fast


@pytest.fixture(scope="module")
def shared():
    ex = W.learning_rate_explorer(lr=0.05, figsize=SMALL)
    yield ex
    ex.close()


@pytest.fixture
def explorer(shared):
    """One explorer for the module (building one costs a full draw), reset for each test."""
    shared.update(surface="quadratic", lr=0.05, steps=200)
    assert shared.error is None
    return shared


def _stderr(ex):
    return "".join(o.get("text", "") for o in ex.output.outputs)


def _draw_counter(fig):
    count = [0]
    fig.canvas.mpl_connect("draw_event", lambda event: count.__setitem__(0, count[0] + 1))
    return count


# ---------------------------------------------------------------- learning-rate explorer
def test_parts_exist(explorer):
    assert set(explorer.controls) == {"surface", "lr", "x0", "y0", "steps"}
    assert explorer.controls["lr"].description == "learning rate"
    assert isinstance(explorer.controls["lr"], ipywidgets.FloatLogSlider)
    assert list(explorer.controls["surface"].options) == [
        "quadratic", "rosenbrock", "himmelblau", "beale", "booth", "rastrigin", "saddle"]
    assert isinstance(explorer.output, ipywidgets.Output)
    assert isinstance(explorer.widget, ipywidgets.VBox)


def test_update_puts_a_fresh_run_on_the_axes(explorer):
    explorer.update(surface="rosenbrock", lr=1.3e-3, x0=-1.0, y0=2.0, steps=150)
    expected = run(sgd(lr=1.3e-3), rosenbrock, np.array([-1.0, 2.0]), 150)
    a = explorer.artists
    np.testing.assert_array_equal(a["path"].get_xdata(), expected.xs[:, 0])
    np.testing.assert_array_equal(a["path"].get_ydata(), expected.xs[:, 1])
    np.testing.assert_array_equal(np.ravel(a["end"].get_xydata()), expected.xs[-1])
    np.testing.assert_allclose(a["loss"].get_ydata(), expected.fs - 0.0)
    np.testing.assert_array_equal(a["loss"].get_xdata(), np.arange(len(expected.fs)))
    # the controls follow values set through update()
    assert explorer.controls["lr"].value == pytest.approx(1.3e-3)
    assert explorer.controls["surface"].value == "rosenbrock"
    assert explorer.controls["x0"].min == rosenbrock.domain[0][0]
    assert explorer.error is None


def test_moving_a_slider_updates_the_path(explorer):
    explorer.update(surface="himmelblau")
    explorer.controls["lr"].value = 0.01
    h = SURFACES["himmelblau"]
    expected = run(sgd(lr=0.01), h, h.start, explorer.values["steps"])
    np.testing.assert_array_equal(explorer.artists["path"].get_xdata(), expected.xs[:, 0])
    explorer.controls["x0"].value = 1.5
    assert explorer.artists["path"].get_xdata()[0] == 1.5


def test_changing_surface_resets_start_and_contours(explorer):
    explorer.update(surface="booth")
    b = SURFACES["booth"]
    assert (explorer.values["x0"], explorer.values["y0"]) == tuple(b.start)
    assert explorer.ax.get_xlim() == b.domain[0]
    assert explorer.controls["y0"].max == b.domain[1][1]


def test_diverging_learning_rate_shows_a_message_not_a_traceback(explorer):
    q = quadratic(10.0)
    explorer.update(surface="quadratic", lr=0.25)
    expected = run(sgd(lr=0.25), q, q.start, explorer.values["steps"])
    assert expected.status == "diverged"
    msg = f"diverged at step {expected.diverged_at}: lr = 0.25 > 2/L = 0.2"
    assert explorer.status_text == msg
    assert html.escape(msg) in explorer.status.value
    assert explorer.artists["message"].get_text() == msg
    assert explorer.artists["message"].get_visible()
    assert explorer.error is None and explorer.output.outputs == ()
    # without a known L the run's own message is shown
    explorer.update(surface="rosenbrock", lr=0.5)
    assert explorer.status_text.startswith("diverged at step")
    assert explorer.error is None


def test_bad_values_are_shown_in_the_output_not_raised(explorer):
    explorer.update(lr=0.02)
    before = explorer.artists["path"].get_xydata().copy()
    explorer.update(lr=-1.0)
    assert isinstance(explorer.error, ValueError)
    assert "lr must be > 0, got -1.0" in _stderr(explorer)
    assert html.escape("lr must be > 0") in explorer.status.value
    assert explorer.values["lr"] == 0.02                       # the previous state is kept
    np.testing.assert_array_equal(explorer.artists["path"].get_xydata(), before)
    explorer.update(lr="fast")
    assert isinstance(explorer.error, TypeError) and "lr must be a real number" in _stderr(explorer)
    explorer.update(surface="nowhere")
    assert "surface must be one of" in _stderr(explorer)
    explorer.update(momentum=0.9)
    assert "unknown value" in _stderr(explorer)
    explorer.update(lr=0.03)                                   # a good value clears the errors
    assert explorer.error is None and explorer.output.outputs == ()


def test_unexpected_errors_show_their_traceback_in_the_output():
    def fragile(lr):
        if lr > 0.5:
            raise RuntimeError("optimizer exploded")
        return sgd(lr=lr)

    ex = W.learning_rate_explorer(lr=0.05, optimizer=fragile, figsize=SMALL)
    try:
        ex.controls["lr"].value = 0.9          # through the slider callback
        assert isinstance(ex.error, RuntimeError)
        text = _stderr(ex)
        assert "Traceback" in text and "optimizer exploded" in text
    finally:
        ex.close()


def test_prints_and_warnings_in_a_callback_land_under_the_widget_without_output_messages():
    import warnings

    def chatty(lr):
        print(f"building sgd with lr={lr}")
        if lr > 0.5:
            warnings.warn("that is a large step", UserWarning)
        return sgd(lr=lr)

    ex = W.learning_rate_explorer(lr=0.05, optimizer=chatty, figsize=SMALL)
    try:
        ex.output.outputs = ()
        msg_ids = []
        ex.output.observe(lambda change: msg_ids.append(change["new"]), names="msg_id")
        ex.controls["lr"].value = 0.9          # through the slider callback
        streams = {o["name"]: o["text"] for o in ex.output.outputs}
        assert streams["stdout"] == "building sgd with lr=0.9\n"
        assert "UserWarning: that is a large step" in streams["stderr"]
        # captured in the kernel: the Output widget's msg_id (two messages per move) is never touched
        assert msg_ids == []
        ex.output.outputs = ()
        ex.controls["lr"].value = 0.1
        assert [o["name"] for o in ex.output.outputs] == ["stdout"]   # nothing printed, nothing sent
        assert ex.error is None
    finally:
        ex.close()


def test_the_status_goes_out_after_the_frame(explorer):
    """The browser handles messages in order: the frame first, then the status text."""
    log = []
    render = explorer._render
    explorer._render = lambda: (log.append("frame"), render())
    explorer.status.observe(lambda change: log.append("status"), names="value")
    try:
        explorer.controls["lr"].value = 0.011
        explorer.update(lr=0.012)
        explorer.update(lr=-1.0)               # an error: no frame, the status still goes out
    finally:
        del explorer._render
    assert log == ["frame", "status", "frame", "status", "status"]
    assert "lr must be &gt; 0" in explorer.status.value or "lr must be > 0" in explorer.status.value


def test_updates_blit_instead_of_redrawing(explorer):
    explorer.update(surface="rosenbrock", lr=1e-3, steps=200)
    full_draws = _draw_counter(explorer.fig)
    for lr in np.logspace(-4, -2.5, 5):
        explorer.update(lr=float(lr))
    assert full_draws[0] == 0
    # and the blitted pixels are what a full redraw gives
    blitted = np.asarray(explorer.fig.canvas.buffer_rgba()).copy()
    explorer.fig.canvas.draw()
    assert full_draws[0] == 1
    np.testing.assert_array_equal(np.asarray(explorer.fig.canvas.buffer_rgba()), blitted)


def test_static_display_shows_controls_and_the_current_figure():
    explorer = W.learning_rate_explorer(lr=0.05, figsize=SMALL)
    InteractiveShell.instance()
    explorer.update(surface="rosenbrock", lr=1e-3)
    assert not explorer.interactive                      # Agg/inline: no live canvas
    with capture_output() as cap:
        explorer._ipython_display_()
        explorer.update(lr=2e-3)
    kinds = [sorted(o.data) for o in cap.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds)
    pngs = [o for o in cap.outputs if "image/png" in o.data]
    assert len(pngs) == 2 and not pngs[0].update and pngs[1].update   # shown, then refreshed
    shown = pngs[1].data["image/png"]
    shown = base64.b64decode(shown) if isinstance(shown, str) else shown
    buf = io.BytesIO()
    explorer.fig.savefig(buf, format="png")
    assert shown == buf.getvalue()
    # the static figure carries the state in text, since the widgets may not render
    assert "lr = 0.002" in explorer.artists["message"].get_text()
    controls = explorer.widget.children[0].children
    assert explorer.controls["lr"] in controls
    explorer.close()


# ---------------------------------------------------------------- tangent explorer
def test_tangent_explorer_follows_x():
    ex = W.tangent_explorer(double_well, x=0.5, figsize=(4, 3))
    try:
        ex.controls["x"].value = -1.0
        (xa, xb), (ya, yb) = ex.artists["tangent"].get_data()
        slope = float(double_well.grad(np.array([-1.0]))[0])
        assert (yb - ya) / (xb - xa) == pytest.approx(slope)
        assert ex.slope == pytest.approx(slope)
        assert ex.artists["point"].get_xdata()[0] == -1.0
        assert f"{slope:.3f}" in ex.artists["title"].get_text()
        ex.update(x=99.0)
        assert "x must be in the domain" in _stderr(ex)
    finally:
        ex.close()


# ---------------------------------------------------------------- descent player
def test_descent_player_moves_a_marker_along_the_path():
    trace = run(sgd(lr=1e-3, momentum=0.9), rosenbrock, rosenbrock.start, 120)
    p = W.descent_player(trace, rosenbrock, max_frames=40, figsize=SMALL)
    try:
        play, step = p.controls["play"], p.controls["step"]
        assert isinstance(play, ipywidgets.Play) and play.max == step.max == trace.steps
        assert play.step == 3                                   # <= 40 frames per replay
        assert {p.link.source[0], p.link.target[0]} == {play, step}   # jslink: moves in the browser
        step.value = 57
        np.testing.assert_array_equal(np.ravel(p.artists["marker"].get_xydata()), trace.xs[57])
        assert len(p.artists["done"].get_xdata()) == 58
        p.update(step=10_000)
        assert "step must be in [0, 120]" in _stderr(p)
    finally:
        p.close()


def test_descent_player_1d():
    trace = run(sgd(lr=0.05), double_well, 2.0, 30)
    p = W.descent_player(trace, double_well, figsize=SMALL)
    try:
        p.update(step=4)
        assert p.artists["marker"].get_ydata()[0] == trace.fs[4]
    finally:
        p.close()


def test_live_frames_diffs_then_a_full_keyframe():
    """On an ipympl canvas a burst of blitted frames ends with a full frame of the picture.

    ipympl sends "diff" frames (only the changed pixels). The browser decodes frames
    asynchronously and drops one when the next arrives first; a dropped diff left stale paths,
    or only the moving lines, on the figure (seen in JupyterLab). So every 10th frame is full,
    and a timer sends the current picture as a full "keyframe" once the controls are still.
    """
    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager   # importing it makes ipympl pyplot's backend
    matplotlib.use(backend)                                  # put back what the other tests expect

    explorer = W.learning_rate_explorer(lr=0.05, figsize=SMALL)
    canvas = Canvas(explorer.fig)
    FigureManager(canvas, 0)
    assert explorer.interactive

    class Timer:                                             # stands in for the kernel's event loop
        def __init__(self, interval):
            self.interval, self.callbacks, self.starts, self.single_shot = interval, [], 0, False

        def add_callback(self, f):
            self.callbacks.append(f)

        def start(self):
            self.starts += 1

        def stop(self):
            pass

        def fire(self):
            for f in self.callbacks:
                f()

    timers = []
    canvas.new_timer = lambda interval=None, **kw: timers.append(Timer(interval)) or timers[-1]
    modes, frames = [], []
    canvas.set_image_mode = modes.append               # what get_diff_image chose for each frame
    canvas.send_binary = frames.append                  # what would go to the browser
    canvas.draw_idle = canvas.draw                      # a browser that asks for the frame at once
    canvas.draw()                                       # the browser asked for the first frame
    assert modes == ["full"]
    lrs = [0.06 + 0.0002 * k for k in range(12)]        # small moves: blits, no new background
    for lr in lrs:
        explorer.update(lr=lr)
    blitted = modes[1:]
    assert "diff" in blitted                            # cheap frames while the slider moves
    longest = max(len(run) for run in "".join("d" if k == "diff" else "f" for k in blitted).split("f"))
    assert longest <= 9                                 # at least every 10th frame whole
    assert len(timers) == 1 and timers[0].starts >= len(lrs) - 2 and timers[0].single_shot
    assert 0 < timers[0].interval <= 250                # soon after the last move
    timers[0].fire()                                    # the controls have been still
    assert modes[-1] == "full" and len(frames) == len(modes)
    # the keyframe is the current picture: what a full redraw gives
    from PIL import Image
    shown = np.asarray(Image.open(io.BytesIO(frames[-1])))
    explorer.fig.canvas.draw()
    np.testing.assert_array_equal(shown, np.asarray(explorer.fig.canvas.buffer_rgba()))
    explorer.close()


def test_setup_leaves_matplotlib_alone_without_a_kernel():
    """A bare IPython shell (as in these tests, or a script) cannot switch backends: setup() must not try."""
    from gdlearn.notebook import setup

    InteractiveShell.instance()
    backend = matplotlib.get_backend()
    assert setup() == "none"
    assert matplotlib.get_backend() == backend


def test_the_log_loss_axis_grows_by_decades_down_to_its_floor_and_then_stays():
    from matplotlib.figure import Figure

    from gdlearn.widgets.explorers import LOG_FLOOR, _lower_log_floor

    ax = Figure().add_subplot(yscale="log")
    ax.set_ylim(1e-10, 1.0)
    assert not _lower_log_floor(ax, np.array([1.0, 1e-3, 2e-10, 0.0, -1.0]))  # inside: nothing to do
    assert _lower_log_floor(ax, np.array([1.0, 3e-13]))                    # below: down to whole decade
    assert ax.get_ylim() == pytest.approx((1e-13, 1.0))
    assert _lower_log_floor(ax, np.array([1.0, 1e-30]))                    # far below: to the floor
    assert ax.get_ylim() == pytest.approx((LOG_FLOOR, 1.0))
    # below the floor again: no change, so no full redraw on every slider move (it was, before)
    assert not _lower_log_floor(ax, np.array([1.0, 1e-30]))
    assert not _lower_log_floor(ax, np.array([0.0]))
