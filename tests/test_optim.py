"""gdlearn.optim against hand-computed steps of torch's published SGD equations.

The expected numbers below are worked out by hand from torch.optim.SGD's
algorithm (docs: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html),
not by calling gdlearn, so a wrong sign, a buffer started at zero or
dampening applied on the first step fails here.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdlearn import optim
from gdlearn.optim import (
    EmptyState,
    MomentumState,
    ScaleByLearningRateState,
    add_decayed_weights,
    apply_updates,
    chain,
    clip_by_global_norm,
    clip_by_value,
    identity,
    scale_by_learning_rate,
    scale_by_momentum,
    sgd,
)

P0 = np.array([1.0, 2.0])
# A fixed gradient sequence, so each step can be written out by hand.
GRADS = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 4.0])]


def run_fixed(opt, params, grads_seq):
    """Apply ``opt`` to a fixed sequence of gradients; return every iterate."""
    state = opt.init(params)
    path = [params]
    for g in grads_seq:
        updates, state = opt.update(g, state, params)
        params = apply_updates(params, updates)
        path.append(params)
    return path, state


def run_on(opt, grad_fn, params, steps):
    """Apply ``opt`` with gradients ``grad_fn(params)``; return the final params."""
    state = opt.init(params)
    for _ in range(steps):
        updates, state = opt.update(grad_fn(params), state, params)
        params = apply_updates(params, updates)
    return params


# --- hand-computed steps -------------------------------------------------------------------

def test_plain_sgd_hand_computed():
    # p <- p - 0.1 g
    path, _ = run_fixed(sgd(lr=0.1), P0, GRADS)
    np.testing.assert_allclose(path[1], [0.9, 2.2], rtol=1e-14)
    np.testing.assert_allclose(path[2], [0.85, 2.15], rtol=1e-14)
    np.testing.assert_allclose(path[3], [0.95, 1.75], rtol=1e-14)


def test_momentum_with_dampening_hand_computed():
    # mu = 0.9, tau = 0.1: b1 = g1 (no dampening on the first step),
    # b2 = 0.9 b1 + 0.9 g2 = [1.35, -1.35], b3 = 0.9 b2 + 0.9 g3 = [0.315, 2.385]
    path, state = run_fixed(sgd(lr=0.1, momentum=0.9, dampening=0.1), P0, GRADS)
    np.testing.assert_allclose(path[1], [0.9, 2.2], rtol=1e-14)
    np.testing.assert_allclose(path[2], [0.765, 2.335], rtol=1e-14)
    np.testing.assert_allclose(path[3], [0.7335, 2.0965], rtol=1e-14)
    np.testing.assert_allclose(state[1].momentum_buffer, [0.315, 2.385], rtol=1e-14)
    assert state[1].count == 3


def test_heavy_ball_momentum_hand_computed():
    # mu = 0.5: b1 = [1, -2], b2 = [1, -0.5], b3 = [-0.5, 3.75]
    path, _ = run_fixed(sgd(lr=0.1, momentum=0.5), P0, GRADS)
    np.testing.assert_allclose(path[1:], [[0.9, 2.2], [0.8, 2.25], [0.85, 1.875]], rtol=1e-14)


def test_nesterov_hand_computed():
    # mu = 0.9: b1 = g1, d1 = g1 + 0.9 b1 = [1.9, -3.8]
    # b2 = 0.9 b1 + g2 = [1.4, -1.3],  d2 = g2 + 0.9 b2 = [1.76, -0.67]
    # b3 = 0.9 b2 + g3 = [0.26, 2.83], d3 = g3 + 0.9 b3 = [-0.766, 6.547]
    path, state = run_fixed(sgd(lr=0.1, momentum=0.9, nesterov=True), P0, GRADS)
    np.testing.assert_allclose(path[1], [0.81, 2.38], rtol=1e-14)
    np.testing.assert_allclose(path[2], [0.634, 2.447], rtol=1e-14)
    np.testing.assert_allclose(path[3], [0.7106, 1.7923], rtol=1e-14)
    np.testing.assert_allclose(state[1].momentum_buffer, [0.26, 2.83], rtol=1e-14)


def test_weight_decay_hand_computed():
    # lambda = 0.01: g1' = g1 + 0.01 p0 = [1.01, -1.98], p1 = [0.899, 2.198]
    # g2' = g2 + 0.01 p1 = [0.50899, 0.52198],          p2 = [0.848101, 2.145802]
    path, _ = run_fixed(sgd(lr=0.1, weight_decay=0.01), P0, GRADS[:2])
    np.testing.assert_allclose(path[1], [0.899, 2.198], rtol=1e-14)
    np.testing.assert_allclose(path[2], [0.848101, 2.145802], rtol=1e-14)


def test_weight_decay_with_momentum_hand_computed():
    # the decay is added before the buffer: b1 = [1.01, -1.98],
    # b2 = 0.9 b1 + [0.50899, 0.52198] = [1.41799, -1.26002]
    path, _ = run_fixed(sgd(lr=0.1, momentum=0.9, weight_decay=0.01), P0, GRADS[:2])
    np.testing.assert_allclose(path[2], [0.757201, 2.324002], rtol=1e-14)


def test_schedule_as_lr_uses_schedule_of_zero_first():
    seen = []

    def schedule(step):
        seen.append(step)
        return [0.1, 0.2, 0.4][step]

    path, state = run_fixed(sgd(lr=schedule), P0, GRADS)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(path[1], P0 - 0.1 * GRADS[0], rtol=1e-15)
    np.testing.assert_allclose(path[2], path[1] - 0.2 * GRADS[1], rtol=1e-15)
    np.testing.assert_allclose(path[3], path[2] - 0.4 * GRADS[2], rtol=1e-15)
    assert state[2] == ScaleByLearningRateState(count=3)


def test_library_schedule_as_lr():
    path, _ = run_fixed(sgd(lr=optim.exponential_schedule(0.2, gamma=0.5)), P0, GRADS[:2])
    np.testing.assert_allclose(path[2], P0 - 0.2 * GRADS[0] - 0.1 * GRADS[1], rtol=1e-15)


# --- identities ----------------------------------------------------------------------------

def quadratic_grad(x):
    return np.array([[3.0, 0.5], [0.5, 1.0]]) @ x


def test_momentum_zero_is_plain_gradient_descent():
    rng = np.random.default_rng(0)
    grads = list(rng.normal(size=(20, 3)))
    p0 = rng.normal(size=3)
    reference = [p0]
    for g in grads:
        reference.append(reference[-1] - 0.05 * g)
    for opt in [sgd(lr=0.05), sgd(lr=0.05, momentum=0), sgd(lr=0.05, momentum=0, dampening=0.5),
                chain(scale_by_learning_rate(0.05)),
                chain(scale_by_momentum(0.0), scale_by_learning_rate(0.05))]:
        path, _ = run_fixed(opt, p0, grads)
        np.testing.assert_allclose(path, reference, rtol=1e-15, atol=0)


def test_sgd_is_the_chain_of_its_blocks():
    blocks = chain(add_decayed_weights(0.1), scale_by_momentum(0.9, nesterov=True),
                   scale_by_learning_rate(0.02))
    a = run_on(sgd(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.1), quadratic_grad, P0, 30)
    b = run_on(blocks, quadratic_grad, P0, 30)
    np.testing.assert_array_equal(a, b)


def test_sgd_state_layout_and_repr():
    state = sgd(lr=0.1).init(P0)
    assert state == (EmptyState(), EmptyState(), ScaleByLearningRateState(count=0))
    _, state = run_fixed(sgd(lr=0.1, momentum=0.9, weight_decay=0.1), P0, GRADS[:1])
    assert isinstance(state[1], MomentumState)
    assert repr(state[1]) == "MomentumState(count=1, momentum_buffer=array([ 1.1, -1.8]))"


def test_dict_params_equal_separate_runs():
    rng = np.random.default_rng(1)
    params = {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}

    def grad(p):
        return {"w": 2 * p["w"] + 1, "b": np.sin(p["b"])}

    opt = sgd(lr=0.1, momentum=0.9, weight_decay=0.01)
    joint = run_on(opt, grad, params, 25)
    assert set(joint) == {"w", "b"}
    np.testing.assert_array_equal(joint["w"], run_on(opt, lambda w: 2 * w + 1, params["w"], 25))
    np.testing.assert_array_equal(joint["b"], run_on(opt, np.sin, params["b"], 25))


def test_array_lr_sweep_equals_separate_runs():
    lrs = np.array([0.01, 0.1, 0.3])
    starts = np.tile([[2.0], [-1.0]], (1, 3))          # (d, n): one column per run
    swept = run_on(sgd(lr=lrs, momentum=0.8), quadratic_grad, starts, 40)
    for k, lr in enumerate(lrs):
        alone = run_on(sgd(lr=float(lr), momentum=0.8), quadratic_grad, starts[:, k], 40)
        np.testing.assert_allclose(swept[:, k], alone, rtol=1e-13, atol=1e-300)


def test_params_become_float64():
    updates, _ = sgd(lr=0.5).update(np.array([1, 2], dtype=np.int64), sgd(lr=0.5).init(np.zeros(2)))
    assert updates.dtype == np.float64
    new = apply_updates(np.array([1, 1], dtype=np.float32), updates)
    assert new.dtype == np.float64
    np.testing.assert_array_equal(new, [0.5, 0.0])


def test_identity_passes_through():
    opt = identity()
    g = np.array([1.0, -1.0])
    updates, state = opt.update(g, opt.init(g))
    assert updates is g and state == EmptyState()


# --- purity --------------------------------------------------------------------------------

arrays = hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-10, 10))
OPTIMIZERS = {
    "plain": lambda: sgd(lr=0.1),
    "momentum": lambda: sgd(lr=0.1, momentum=0.9, dampening=0.3),
    "nesterov": lambda: sgd(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    "array lr": lambda: sgd(lr=np.array(0.3), momentum=0.5),
    "clipped": lambda: chain(clip_by_global_norm(1.0), clip_by_value(0.5), scale_by_momentum(0.5),
                             scale_by_learning_rate(optim.cosine_schedule(0.1, 10))),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_update_is_pure(name, data):
    params = data.draw(arrays)
    grads_seq = [data.draw(hnp.arrays(np.float64, params.shape, elements=st.floats(-10, 10)))
                 for _ in range(3)]
    opt = OPTIMIZERS[name]()
    state = opt.init(params)
    states = [copy.deepcopy(state)]
    kept = [state]
    for grads in grads_seq:
        before = (params.copy(), grads.copy())
        updates, state = opt.update(grads, state, params)
        np.testing.assert_array_equal(params, before[0])
        np.testing.assert_array_equal(grads, before[1])
        assert updates is not grads and updates is not params
        params = apply_updates(params, updates)
        states.append(copy.deepcopy(state))
        kept.append(state)
    for old, copied in zip(kept, states):   # no later update touched an earlier state
        np.testing.assert_equal(old, copied)


def test_update_is_pure_on_dicts():
    params = {"w": np.ones((2, 2)), "b": np.zeros(2)}
    grads = {"w": np.full((2, 2), 0.5), "b": np.ones(2)}
    opt = sgd(lr=0.1, momentum=0.9)
    state = opt.init(params)
    _, state1 = opt.update(grads, state, params)
    snapshot = copy.deepcopy((params, grads, state1))
    _, state2 = opt.update(grads, state1, params)
    np.testing.assert_equal((params, grads, state1), snapshot)
    assert state2[1].momentum_buffer["b"] is not state1[1].momentum_buffer["b"]


def test_state_does_not_alias_the_callers_arrays():
    # the first buffer is a copy of the gradient (torch clones it), so reusing the
    # gradient array afterwards cannot rewrite the kept state
    grads, params = np.array([1.0, -2.0]), np.zeros(2)
    opt = sgd(lr=0.1, momentum=0.9, nesterov=True)
    _, state = opt.update(grads, opt.init(params), params)
    grads[:] = 99.0
    np.testing.assert_array_equal(state[1].momentum_buffer, [1.0, -2.0])


# --- clipping ------------------------------------------------------------------------------

def test_clip_by_global_norm_above_max_norm():
    # |g| = sqrt(3^2 + 0^2 + 4^2) = 5 over both leaves; coef = 2 / (5 + 1e-6)
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([4.0])}
    opt = clip_by_global_norm(2.0)
    clipped, _ = opt.update(grads, opt.init(grads))
    coef = 2.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(clipped["a"], [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [4.0 * coef], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [1.6], rtol=1e-6)


def test_clip_by_global_norm_below_max_norm_is_unchanged():
    grads = np.array([[0.3], [0.4]])          # norm 0.5
    clipped, state = clip_by_global_norm(1.0).update(grads, EmptyState())
    np.testing.assert_array_equal(clipped, grads)
    assert state == EmptyState()


def test_clip_by_global_norm_at_max_norm_is_scaled_by_the_epsilon():
    # torch's formula: at exactly norm = max_norm the coefficient is 5 / (5 + 1e-6) < 1
    clipped, _ = clip_by_global_norm(5.0).update(np.array([3.0, 4.0]), EmptyState())
    np.testing.assert_allclose(clipped, np.array([3.0, 4.0]) * 5 / (5 + 1e-6), rtol=1e-15)


def test_clip_by_value():
    clipped, _ = clip_by_value(1.0).update({"w": np.array([-3.0, 0.5, 7.0])}, EmptyState())
    np.testing.assert_array_equal(clipped["w"], [-1.0, 0.5, 1.0])


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, error, match", [
    (sgd, {"lr": 0}, ValueError, r"lr must be > 0, got 0"),
    (sgd, {"lr": -0.1}, ValueError, r"lr must be > 0, got -0.1"),
    (sgd, {"lr": float("nan")}, ValueError, "lr"),
    (sgd, {"lr": float("inf")}, ValueError, "lr"),
    (sgd, {"lr": np.array([0.1, -0.1])}, ValueError, "lr"),
    (sgd, {"lr": np.array([])}, ValueError, "lr"),
    (sgd, {"lr": "0.1"}, TypeError, "lr"),
    (sgd, {"lr": None}, TypeError, "lr"),
    (sgd, {"lr": True}, TypeError, "lr"),
    (sgd, {"lr": ["a"]}, TypeError, "lr"),
    (sgd, {"momentum": -0.1}, ValueError, r"momentum must be in \[0, 1\), got -0.1"),
    (sgd, {"momentum": 1.0}, ValueError, "momentum"),
    (sgd, {"momentum": "0.9"}, TypeError, "momentum"),
    (sgd, {"momentum": 0.9, "dampening": 1.5}, ValueError, r"dampening must be in \[0, 1\]"),
    (sgd, {"dampening": -0.5}, ValueError, "dampening"),
    (sgd, {"weight_decay": -1e-4}, ValueError, "weight_decay must be >= 0"),
    (sgd, {"weight_decay": None}, TypeError, "weight_decay"),
    (sgd, {"nesterov": True}, ValueError, "nesterov"),
    (sgd, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "nesterov"),
    (sgd, {"nesterov": "yes", "momentum": 0.9}, TypeError, "nesterov"),
    (scale_by_learning_rate, {"lr": -1}, ValueError, "lr"),
    (scale_by_momentum, {"momentum": 2.0}, ValueError, "momentum"),
    (add_decayed_weights, {"weight_decay": -1}, ValueError, "weight_decay"),
    (clip_by_global_norm, {"max_norm": 0}, ValueError, "max_norm must be > 0"),
    (clip_by_global_norm, {"max_norm": "1"}, TypeError, "max_norm"),
    (clip_by_value, {"clip_value": -1.0}, ValueError, "clip_value must be > 0"),
    (clip_by_value, {"clip_value": [1.0]}, TypeError, "clip_value"),
])
def test_bad_hyperparameters_raise(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


def test_grads_shape_must_match_state():
    opt = sgd(lr=0.1, momentum=0.9)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"grads shape \(3,\) does not match momentum_buffer shape \(2,\)"):
        opt.update(np.ones(3), state, np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):   # broadcastable is not enough
        opt.update(np.ones((2, 1)), state, np.zeros((2, 1)))


def test_grads_shape_must_match_params():
    opt = sgd(lr=0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match=r"grads shape \(3,\) does not match params shape \(2,\)"):
        opt.update(np.ones(3), opt.init(np.zeros(2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"updates shape \(3,\) does not match params shape \(2,\)"):
        apply_updates(np.zeros(2), np.ones(3))


def test_dict_keys_must_match():
    opt = sgd(lr=0.1, momentum=0.9)
    state = opt.init({"w": np.zeros(2), "b": np.zeros(1)})
    with pytest.raises(ValueError, match=r"momentum_buffer \(\['b', 'w'\]\) does not match "
                                         r"grads \(\['w'\]\)"):
        opt.update({"w": np.ones(2)}, state)
    with pytest.raises(ValueError, match="params"):
        apply_updates({"w": np.zeros(2)}, np.zeros(2))


def test_nested_params_are_rejected():
    with pytest.raises(TypeError, match="nothing deeper"):
        sgd(lr=0.1, momentum=0.9).init({"layer": {"w": np.zeros(2)}})
    with pytest.raises(TypeError, match="grads"):
        sgd(lr=0.1).update("not an array", sgd(lr=0.1).init(np.zeros(2)))


def test_array_lr_must_broadcast_against_params():
    with pytest.raises(ValueError, match=r"lr shape \(3,\) does not broadcast against params shape \(2, 4\)"):
        sgd(lr=np.full(3, 0.1)).init(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"lr shape \(4, 1\)"):   # would silently grow the params
        sgd(lr=np.full((4, 1), 0.1)).init(np.zeros(4))


def test_weight_decay_needs_params():
    opt = sgd(lr=0.1, weight_decay=0.1)
    with pytest.raises(TypeError, match="params"):
        opt.update(np.ones(2), opt.init(np.zeros(2)))


def test_wrong_state_is_rejected():
    opt = sgd(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="state"):
        opt.update(np.ones(2), (EmptyState(),))
    with pytest.raises(TypeError, match="MomentumState"):
        opt.update(np.ones(2), (EmptyState(), EmptyState(), ScaleByLearningRateState(0)))
    with pytest.raises(TypeError, match="transforms"):
        chain(sgd(lr=0.1), "adam")


# ---------------------------------------------------------------- fast paths = the general ones

@pytest.mark.parametrize("shape,scale,transpose", [((2,), 1.0, False), ((5,), 1e3, False), ((3, 4), 1.0, True),
                                                   ((2,), 1e200, False), ((4, 3), 1e-3, True), ((1,), 0.0, False)])
def test_clip_by_global_norm_one_array_is_the_norm_of_norms(shape, scale, transpose):
    """The one-array path gives torch's norm of per-tensor norms bit for bit (np.linalg.norm twice)."""
    rng = np.random.default_rng(7)
    g = rng.standard_normal(shape) * scale
    g = g.T if transpose else g                       # not C-contiguous
    for c in (1e-3, 1.0, 1e300):
        with np.errstate(all="ignore"):
            norm = np.linalg.norm([np.linalg.norm(g)])
            want = g * min(c / (norm + 1e-6), 1.0)
            got = clip_by_global_norm(c).update(g, EmptyState())[0]
            as_dict = clip_by_global_norm(c).update({"w": g}, EmptyState())[0]["w"]
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(as_dict, want)


def test_chain_passes_identity_states_through():
    """chain skips identity() blocks: their state is the very object it was given, as identity returns it."""
    opt = chain(identity(), scale_by_learning_rate(0.5), identity())
    state = opt.init(np.zeros(2))
    updates, new = opt.update(np.array([2.0, -4.0]), state)
    np.testing.assert_array_equal(updates, [-1.0, 2.0])
    assert new[0] is state[0] and new[2] is state[2]
    assert new == (EmptyState(), ScaleByLearningRateState(count=1), EmptyState())
    with pytest.raises(ValueError, match="tuple of 3 states"):
        opt.update(np.zeros(2), state[:2])


def test_clip_by_value_one_array_is_np_clip():
    """The one-array path of clip_by_value is np.clip bit for bit: nan, infinities and -0.0 included."""
    rng = np.random.default_rng(3)
    g = np.concatenate([rng.standard_normal(50) * 3, [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0]])
    for c in (1e-3, 1.0, 2.5, 1e300):
        got = clip_by_value(c).update(g, EmptyState())[0]
        want = np.clip(g, -c, c)
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))
        np.testing.assert_array_equal(clip_by_value(c).update({"w": g}, EmptyState())[0]["w"], want)
