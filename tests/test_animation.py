"""gdlearn.animation: bounded frames, self-contained HTML, the figure closed afterwards."""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdlearn import animation
from gdlearn.optim import sgd
from gdlearn.run import run
from gdlearn.surfaces import double_well, rosenbrock


@pytest.fixture(scope="module")
def long_trace():
    return run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 500)


def test_frame_indices_are_bounded_and_keep_both_ends():
    for n, m in [(0, 60), (5, 60), (59, 60), (60, 60), (500, 60), (10_000, 7)]:
        idx = animation.frame_indices(n, m)
        assert len(idx) == min(n + 1, m)
        assert idx[0] == 0 and idx[-1] == n
        assert np.all(np.diff(idx) > 0)
    with pytest.raises(ValueError, match="max_frames"):
        animation.frame_indices(10, 1)


def test_log_spaced_frames_give_the_first_steps_their_own_frames():
    for n, m in [(0, 60), (5, 60), (59, 60), (500, 60), (5000, 24), (10_000, 7)]:
        idx = animation.frame_indices(n, m, spacing="log")
        assert len(idx) == min(n + 1, m)
        assert idx[0] == 0 and idx[-1] == n
        assert np.all(np.diff(idx) > 0)
    idx = animation.frame_indices(5000, 24, spacing="log")
    assert idx[:5].tolist() == [0, 1, 2, 3, 4]          # even spacing would jump 217 steps at once
    # past the first steps, frame i sits at (n + 1) ** (i / (m - 1)) - 1, evenly in log(1 + k)
    i = np.arange(8, 24)
    np.testing.assert_allclose(idx[8:], 5001.0 ** (i / 23) - 1, atol=0.51)
    with pytest.raises(ValueError, match="spacing"):
        animation.frame_indices(10, 5, spacing="cubic")


def test_long_runs_are_subsampled(long_trace):
    anim = animation.animate_trace(long_trace, rosenbrock)
    try:
        assert len(anim.frame_steps) == 60 and anim.frame_steps[-1] == 500
        # the last frame shows the whole path
        anim._draw_frame(len(anim.frame_steps) - 1)
        line = anim.artists["paths"][0]
        np.testing.assert_array_equal(line.get_xdata(), long_trace.xs[:, 0])
        w, h = anim._fig.get_size_inches()
        assert w * h <= 16  # a small figure
        anim._draw_was_started = True  # inspected, never rendered: skip matplotlib's warning
    finally:
        plt.close(anim._fig)


def test_to_html_holds_every_frame_and_closes_the_figure(monkeypatch, long_trace):
    short = run(sgd(lr=1e-3, momentum=0.9), rosenbrock, rosenbrock.start, 40)
    anim = animation.animate_trace({"sgd": long_trace, "momentum": short}, rosenbrock, max_frames=6)
    closed = []
    real_close = plt.close
    monkeypatch.setattr(animation.plt, "close", lambda fig=None: (closed.append(fig), real_close(fig)))
    figures_before = plt.get_fignums()
    html = animation.to_html(anim)
    assert closed == [anim._fig]
    assert plt.get_fignums() == figures_before
    text = html.data
    assert text.count("data:image/png;base64") == 6
    assert len(re.findall(r"frames\[\d+\] = ", text)) == 6
    assert "<script" in text


def test_1d_animation():
    trace = run(sgd(lr=0.05), double_well, 2.0, 12)
    anim = animation.animate_trace(trace, double_well, max_frames=60)
    try:
        assert len(anim.frame_steps) == 13
        anim._draw_frame(12)
        head = anim.artists["heads"][0]
        assert head.get_ydata()[0] == trace.fs[-1]
        anim._draw_was_started = True
    finally:
        plt.close(anim._fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="dimension"):
        animation.animate_trace(np.zeros((3, 1)), rosenbrock)
    with pytest.raises(TypeError, match="FuncAnimation"):
        animation.to_html("not an animation")


def test_the_title_shows_the_step_and_for_one_run_its_loss(long_trace):
    one = animation.animate_trace(long_trace, rosenbrock, max_frames=5)
    two = animation.animate_trace({"sgd": long_trace, "momentum": long_trace}, rosenbrock, max_frames=5)
    try:
        for i, k in enumerate(one.frame_steps):
            one._draw_frame(i)
            m = re.fullmatch(r"Rosenbrock: step (\d+), f = (\S+)", one.artists["title"].get_text())
            assert m and int(m.group(1)) == k
            f_k = rosenbrock.f(long_trace.xs[k])                 # the loss, from the surface itself
            assert abs(float(m.group(2)) - f_k) <= 5e-3 * abs(f_k)
        two._draw_frame(1)
        assert re.fullmatch(r"Rosenbrock: step \d+", two.artists["title"].get_text())   # no one loss to show
        one._draw_was_started = two._draw_was_started = True
    finally:
        plt.close(one._fig)
        plt.close(two._fig)
