"""gdlearn.schedules against their closed-form formulas."""

import math

import numpy as np
import pytest

from gdlearn import optim, schedules
from gdlearn.schedules import (
    constant_schedule,
    cosine_schedule,
    exponential_schedule,
    inverse_time_schedule,
    join_schedules,
    linear_warmup,
    step_schedule,
    warmup_cosine_schedule,
)

STEPS = [0, 1, 2, 5, 9, 10, 11, 37, 100, 1000]


def check(schedule, formula):
    """``schedule`` equals ``formula`` at every step, as a float per step and as an array."""
    for t in STEPS:
        value = schedule(t)
        assert isinstance(value, float)
        assert value == pytest.approx(formula(t), rel=1e-13, abs=1e-300)
    values = schedule(np.array(STEPS))
    assert values.dtype == np.float64 and values.shape == (len(STEPS),)
    np.testing.assert_allclose(values, [formula(t) for t in STEPS], rtol=1e-13, atol=1e-300)


def test_constant():
    check(constant_schedule(0.3), lambda t: 0.3)


def test_step():
    check(step_schedule(0.5, step_size=10, gamma=0.1), lambda t: 0.5 * 0.1 ** (t // 10))
    schedule = step_schedule(1.0, step_size=3, gamma=0.5)
    assert [schedule(t) for t in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_exponential():
    check(exponential_schedule(0.2, gamma=0.99), lambda t: 0.2 * 0.99 ** t)
    check(exponential_schedule(1e-5, gamma=1.1), lambda t: 1e-5 * 1.1 ** t)   # a range test grows


def test_inverse_time():
    check(inverse_time_schedule(0.1, decay=0.5), lambda t: 0.1 / (1 + 0.5 * t))
    check(inverse_time_schedule(0.1, decay=0.0), lambda t: 0.1)


def test_cosine():
    def formula(t):
        return 0.01 + 0.5 * (0.5 - 0.01) * (1 + math.cos(math.pi * min(t, 40) / 40))
    check(cosine_schedule(0.5, total_steps=40, min_lr=0.01), formula)
    schedule = cosine_schedule(2.0, total_steps=40)
    assert schedule(0) == 2.0
    assert schedule(20) == pytest.approx(1.0, rel=1e-15)
    assert schedule(40) == pytest.approx(0.0, abs=1e-15)
    assert schedule(10_000) == schedule(40)      # stays at min_lr after total_steps


def test_linear_warmup():
    check(linear_warmup(0.4, warmup_steps=10, start_lr=0.1), lambda t: 0.1 + 0.3 * min(t, 10) / 10)
    schedule = linear_warmup(1.0, warmup_steps=4)
    assert [schedule(t) for t in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_join_schedules_boundaries():
    schedule = join_schedules(
        [constant_schedule(1.0), inverse_time_schedule(0.5, 1.0), exponential_schedule(0.2, 0.5)], [3, 5])
    # 0..2: first; 3..4: second at t - 3; 5..: third at t - 5
    expected = [1.0, 1.0, 1.0, 0.5, 0.25, 0.2, 0.1, 0.05]
    assert [schedule(t) for t in range(8)] == expected
    np.testing.assert_array_equal(schedule(np.arange(8)), expected)
    np.testing.assert_array_equal(schedule(np.array([[7, 0], [3, 4]])), [[0.05, 1.0], [0.5, 0.25]])


def test_join_schedules_passes_shifted_steps():
    seen = []

    def record(t):
        seen.append(t)
        return 1.0

    schedule = join_schedules([constant_schedule(1.0), record], [10])
    schedule(9)
    assert seen == []
    schedule(10)
    schedule(12)
    assert seen == [0, 2]


def test_warmup_cosine():
    def formula(t):
        if t < 10:
            return 0.3 * t / 10
        return 0.003 + 0.5 * (0.3 - 0.003) * (1 + math.cos(math.pi * min(t - 10, 90) / 90))
    check(warmup_cosine_schedule(0.3, warmup_steps=10, total_steps=100, min_lr=0.003), formula)
    schedule = warmup_cosine_schedule(0.3, warmup_steps=10, total_steps=100)
    assert schedule(0) == 0.0 and schedule(10) == 0.3 and schedule(100) == pytest.approx(0.0, abs=1e-16)


def test_integer_array_kinds():
    schedule = step_schedule(1.0, 2, 0.5)
    np.testing.assert_array_equal(schedule(np.arange(4, dtype=np.uint8)), [1.0, 1.0, 0.5, 0.5])
    assert schedule(np.int64(2)) == 0.5
    assert isinstance(schedule(np.array(2)), float)


def test_reexported_from_optim():
    for name in schedules.__all__:
        assert getattr(optim, name) is getattr(schedules, name)
        assert name in optim.__all__


@pytest.mark.parametrize("make, args, error, match", [
    (constant_schedule, (0.0,), ValueError, r"lr must be > 0, got 0.0"),
    (constant_schedule, ("0.1",), TypeError, "lr"),
    (step_schedule, (0.1, 0), ValueError, r"step_size must be an integer >= 1"),
    (step_schedule, (0.1, 2.5), TypeError, "step_size"),
    (step_schedule, (0.1, 10, -0.1), ValueError, "gamma must be > 0"),
    (exponential_schedule, (0.1, 0.0), ValueError, "gamma"),
    (exponential_schedule, (-0.1, 0.9), ValueError, "lr"),
    (inverse_time_schedule, (0.1, -1.0), ValueError, "decay must be >= 0"),
    (cosine_schedule, (0.1, 0), ValueError, "total_steps"),
    (cosine_schedule, (0.1, 10, 0.2), ValueError, r"min_lr must be in \[0, 0.1\], got 0.2"),
    (cosine_schedule, (0.1, 10, -0.01), ValueError, "min_lr"),
    (linear_warmup, (0.1, 0), ValueError, "warmup_steps"),
    (linear_warmup, (0.1, True), TypeError, "warmup_steps"),
    (linear_warmup, (0.1, 5, -1.0), ValueError, "start_lr"),
    (warmup_cosine_schedule, (0.1, 10, 10), ValueError, r"total_steps must be > warmup_steps = 10"),
    (warmup_cosine_schedule, (0.1, 0, 10), ValueError, "warmup_steps"),
    (warmup_cosine_schedule, (0.1, 5, 10, 1.0), ValueError, "min_lr"),
    (join_schedules, ([], []), TypeError, "schedules"),
    (join_schedules, ([0.1, 0.2], [5]), TypeError, "schedules"),
    (join_schedules, ([constant_schedule(0.1)] * 2, []), ValueError, "boundaries"),
    (join_schedules, ([constant_schedule(0.1)] * 3, [5, 5]), ValueError, "strictly increasing"),
    (join_schedules, ([constant_schedule(0.1)] * 2, [0]), ValueError, "boundaries"),
    (join_schedules, ([constant_schedule(0.1)] * 2, [2.5]), TypeError, "boundaries"),
])
def test_bad_arguments_raise(make, args, error, match):
    with pytest.raises(error, match=match):
        make(*args)


@pytest.mark.parametrize("step, error", [(-1, ValueError), (np.array([0, -3]), ValueError),
                                         (1.5, TypeError), (np.array([0.0, 1.0]), TypeError),
                                         ("3", TypeError)])
def test_bad_steps_raise(step, error):
    for schedule in [constant_schedule(0.1), cosine_schedule(0.1, 10), join_schedules(
            [constant_schedule(0.1), constant_schedule(0.2)], [2])]:
        with pytest.raises(error, match="step"):
            schedule(step)
