"""gdlearn's adaptive optimizers against hand-computed steps of the published update rules.

The reference loops below are written in plain numpy from torch.optim's
documented algorithms (https://pytorch.org/docs/stable/optim.html: Adagrad,
RMSprop, Adam, AdamW), independently of gdlearn/optim/adaptive.py. Where the
documentation and torch's code round differently (Adam's epsilon: the docs add
it to sqrt(v / (1 - beta2^t)), the code to sqrt(v) / sqrt(1 - beta2^t)) the
reference follows the documentation and the comparison allows round-off.
A few steps are also worked out by hand as plain numbers, so a wrong sign,
a missing bias correction or epsilon under the root fails here.
tests/test_torch_parity_adaptive.py compares with torch itself.
"""

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdlearn import optim
from gdlearn.optim import (
    ScaleByAdagradState,
    ScaleByAdamState,
    ScaleByLearningRateState,
    ScaleByRmsState,
    adagrad,
    adam,
    adamw,
    add_decayed_weights,
    apply_updates,
    chain,
    cosine_schedule,
    rmsprop,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
)
from gdlearn.run import run, run_many
from gdlearn.surfaces import quadratic, rosenbrock

# A fixed gradient sequence with sign changes, a coordinate that is always zero and one
# that grows: the update rules alone decide the path (no feedback from the function).
_rng = np.random.default_rng(1)
GRADS = [np.array([g0, g1, 0.0, 0.1 * (t + 1)])
         for t, (g0, g1) in enumerate(_rng.normal(size=(30, 2)) * [1.0, 100.0])]
P0 = np.array([1.0, -2.0, 0.5, 3.0])


def path_of(opt, params, grads_seq):
    """Apply ``opt`` to a sequence of gradients; every iterate after the start."""
    state = opt.init(params)
    path = []
    for g in grads_seq:
        updates, state = opt.update(g, state, params)
        params = apply_updates(params, updates)
        path.append(params)
    return np.array(path)


def path_on(opt, grad_fn, params, steps):
    """Apply ``opt`` with gradients ``grad_fn(params)``; every iterate after the start."""
    state = opt.init(params)
    path = []
    for _ in range(steps):
        updates, state = opt.update(grad_fn(params), state, params)
        params = apply_updates(params, updates)
        path.append(params)
    return np.array(path)


def fixed(seq):
    """A gradient function that ignores the params and returns the next gradient of ``seq``."""
    it = iter(seq)
    return lambda x: next(it)


# --- reference loops: torch's documented algorithms, in plain numpy ------------------------

def lr_at(lr, t):
    return lr(t - 1) if callable(lr) else lr           # schedules count from step 0


def ref_adagrad(grad, x, steps, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10):
    state_sum = np.full_like(x, initial_accumulator_value)
    path = []
    for t in range(1, steps + 1):
        g = grad(x)
        clr = lr_at(lr, t) / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * x
        state_sum = state_sum + g ** 2
        x = x - clr * g / (np.sqrt(state_sum) + eps)
        path.append(x)
    return np.array(path)


def ref_rmsprop(grad, x, steps, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    v, buf, g_ave = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    path = []
    for t in range(1, steps + 1):
        g = grad(x)
        if weight_decay != 0:
            g = g + weight_decay * x
        v = alpha * v + (1 - alpha) * g ** 2
        v_tilde = v
        if centered:
            g_ave = g_ave * alpha + (1 - alpha) * g
            v_tilde = v_tilde - g_ave ** 2
        if momentum > 0:
            buf = momentum * buf + g / (np.sqrt(v_tilde) + eps)
            x = x - lr_at(lr, t) * buf
        else:
            x = x - lr_at(lr, t) * g / (np.sqrt(v_tilde) + eps)
        path.append(x)
    return np.array(path)


def ref_adam(grad, x, steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, decoupled=False):
    """torch.optim.Adam's algorithm; ``decoupled=True`` is torch.optim.AdamW's."""
    b1, b2 = betas
    m, v, v_max = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    path = []
    for t in range(1, steps + 1):
        g = grad(x)
        gamma = lr_at(lr, t)
        if decoupled:
            x = x - gamma * weight_decay * x
        elif weight_decay != 0:
            g = g + weight_decay * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        x = x - gamma * m_hat / (np.sqrt(v_hat) + eps)
        path.append(x)
    return np.array(path)


def ref_adamw(grad, x, steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    return ref_adam(grad, x, steps, lr, betas, eps, weight_decay, amsgrad, decoupled=True)


REFERENCES = {"adagrad": (adagrad, ref_adagrad), "rmsprop": (rmsprop, ref_rmsprop),
              "adam": (adam, ref_adam), "adamw": (adamw, ref_adamw)}
VARIANTS = [
    ("adagrad", {}),
    ("adagrad", dict(lr=0.1, lr_decay=0.2, weight_decay=0.05, initial_accumulator_value=0.3, eps=1e-3)),
    ("rmsprop", {}),
    ("rmsprop", dict(lr=1e-3, alpha=0.9, weight_decay=0.1)),
    ("rmsprop", dict(lr=1e-3, centered=True)),
    ("rmsprop", dict(lr=1e-3, momentum=0.9)),
    ("rmsprop", dict(lr=1e-3, alpha=0.8, eps=1e-3, centered=True, momentum=0.5, weight_decay=0.1)),
    ("adam", {}),
    ("adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3)),
    ("adam", dict(lr=0.05, weight_decay=0.1)),
    ("adam", dict(lr=0.05, amsgrad=True)),
    ("adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("adamw", {}),
    ("adamw", dict(lr=0.05, weight_decay=0.5)),
    ("adamw", dict(lr=0.05, weight_decay=0.0, amsgrad=True)),
    ("adamw", dict(lr=0.05, betas=(0.0, 0.5), weight_decay=0.3, amsgrad=True)),
]


def variant_id(v):
    return v[0] + "(" + ", ".join(f"{k}={x}" for k, x in v[1].items()) + ")"


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant_id(v) for v in VARIANTS])
def test_matches_reference_loop_on_fixed_gradients(variant):
    name, hyper = variant
    make, reference = REFERENCES[name]
    ours = path_of(make(**hyper), P0, GRADS)
    expected = reference(fixed(GRADS), P0, len(GRADS), **hyper)
    assert np.abs(ours[-1] - P0).max() > 1e-3                  # the run moved
    np.testing.assert_allclose(ours, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant_id(v) for v in VARIANTS])
def test_matches_reference_loop_on_a_quadratic(variant):
    # here the gradient depends on the iterate: the whole feedback loop is compared
    name, hyper = variant
    make, reference = REFERENCES[name]
    curvatures = np.array([1.0, 10.0, 100.0, 0.5])

    def grad(x):
        return curvatures * x

    ours = path_on(make(**hyper), grad, P0, 60)
    np.testing.assert_allclose(ours, reference(grad, P0, 60, **hyper), rtol=1e-12, atol=1e-14)


# --- steps worked out by hand ----------------------------------------------------------------

def one_step(opt, g, params):
    updates, state = opt.update(np.asarray(g, dtype=float), opt.init(params), params)
    return updates, state


def test_adam_first_step_is_lr_times_sign():
    # m_hat = g, v_hat = g^2 after one step: the step is lr * g / (|g| + eps)
    updates, state = one_step(adam(lr=0.1), [0.5, -3.0, 0.0], np.zeros(3))
    np.testing.assert_allclose(updates, [-0.1 * 0.5 / (0.5 + 1e-8), 0.1 * 3 / (3 + 1e-8), 0.0], rtol=1e-15)
    np.testing.assert_allclose(state[1].mu, [0.05, -0.3, 0.0], rtol=1e-15)
    np.testing.assert_allclose(state[1].nu, [0.00025, 0.009, 0.0], rtol=1e-14)
    assert state[1].count == 1 and state[2] == ScaleByLearningRateState(1)


def test_adam_second_step_by_hand():
    # g = 1 then -1: m2 = 0.9 * 0.1 - 0.1 = -0.01, v2 = 0.999 * 0.001 + 0.001 = 0.001999,
    # m_hat = -0.01 / (1 - 0.81) = -1/19, v_hat = 0.001999 / (1 - 0.998001) = 1
    opt = adam(lr=0.1)
    state = opt.init(np.zeros(1))
    _, state = opt.update(np.array([1.0]), state, np.zeros(1))
    updates, state = opt.update(np.array([-1.0]), state, np.zeros(1))
    np.testing.assert_allclose(updates, [0.1 / 19 / (1 + 1e-8)], rtol=1e-13)
    np.testing.assert_allclose([state[1].mu[0], state[1].nu[0]], [-0.01, 0.001999], rtol=1e-13)


def test_adam_epsilon_is_added_after_the_bias_corrected_root():
    # with v_hat = 1e-16 (g = 1e-8), eps = 1e-8 halves the first step; eps under the root would not
    updates, _ = one_step(adam(lr=1.0), [1e-8], np.zeros(1))
    np.testing.assert_allclose(updates, [-0.5], rtol=1e-7)


def test_adam_weight_decay_by_hand():
    # g <- g + 0.5 * theta = 1 + 0.5 * 2 = 2 on the first step; the step is still lr * sign
    updates, state = one_step(adam(lr=0.1, weight_decay=0.5), [1.0], np.array([2.0]))
    np.testing.assert_allclose(state[1].mu, [0.2], rtol=1e-15)
    np.testing.assert_allclose(updates, [-0.1 * 2 / (2 + 1e-8)], rtol=1e-15)


def test_adamw_decay_by_hand():
    # theta = 2, g = 1, lr = 0.1, wd = 0.5: 2 * (1 - 0.05) - 0.1 * 1 / (1 + 1e-8)
    updates, state = one_step(adamw(lr=0.1, weight_decay=0.5), [1.0], np.array([2.0]))
    np.testing.assert_allclose(2.0 + updates, [1.9 - 0.1 / (1 + 1e-8)], rtol=1e-15)
    np.testing.assert_allclose(state[0].mu, [0.1], rtol=1e-15)      # the decay is not in the moments


def test_adagrad_by_hand():
    # s0 = 1; g = 3: s = 10; g = 4 with lr_decay 0.5: s = 26, clr = lr / 1.5
    opt = adagrad(lr=0.3, lr_decay=0.5, initial_accumulator_value=1.0)
    state = opt.init(np.zeros(1))
    updates1, state = opt.update(np.array([3.0]), state, np.zeros(1))
    updates2, state = opt.update(np.array([4.0]), state, np.zeros(1))
    np.testing.assert_allclose(updates1, [-0.3 * 3 / (math.sqrt(10) + 1e-10)], rtol=1e-15)
    np.testing.assert_allclose(updates2, [-0.2 * 4 / (math.sqrt(26) + 1e-10)], rtol=1e-15)
    assert state[1] == ScaleByAdagradState(count=2, sum_of_squares=state[1].sum_of_squares)
    np.testing.assert_allclose(state[1].sum_of_squares, [26.0], rtol=1e-15)


def test_rmsprop_by_hand():
    # v = 0.01 * 2^2 = 0.04: the first step is lr * 2 / 0.2 = 10 lr (no bias correction)
    updates, state = one_step(rmsprop(lr=0.01), [2.0], np.zeros(1))
    np.testing.assert_allclose(updates, [-0.01 * 2 / (0.2 + 1e-8)], rtol=1e-14)
    np.testing.assert_allclose(state[1].nu, [0.04], rtol=1e-14)
    # centered: m = 0.02, v - m^2 = 0.0396
    updates, state = one_step(rmsprop(lr=0.01, centered=True), [2.0], np.zeros(1))
    np.testing.assert_allclose(updates, [-0.01 * 2 / (math.sqrt(0.0396) + 1e-8)], rtol=1e-14)
    np.testing.assert_allclose(state[1].mu, [0.02], rtol=1e-14)


def test_rmsprop_momentum_by_hand():
    # b1 = 2 / sqrt(0.04) = 10 (torch's buffer starts at 0); v2 = 0.99 * 0.04 + 0.04 = 0.0796
    opt = rmsprop(lr=0.01, momentum=0.9, eps=0.0)
    state = opt.init(np.zeros(1))
    _, state = opt.update(np.array([2.0]), state, np.zeros(1))
    np.testing.assert_allclose(state[2].momentum_buffer, [10.0], rtol=1e-14)
    updates, state = opt.update(np.array([2.0]), state, np.zeros(1))
    buffer = 0.9 * 10 + 2 / math.sqrt(0.0796)
    np.testing.assert_allclose(state[2].momentum_buffer, [buffer], rtol=1e-14)
    np.testing.assert_allclose(updates, [-0.01 * buffer], rtol=1e-14)


# --- identities ------------------------------------------------------------------------------

grad_seqs = st.integers(1, 4).flatmap(lambda d: st.lists(
    hnp.arrays(np.float64, d, elements=st.floats(0.01, 100) | st.floats(-100, -0.01)),
    min_size=1, max_size=12))


@settings(max_examples=60, deadline=None)
@given(grads=grad_seqs, beta2=st.floats(0.0, 0.999), eps=st.sampled_from([0.0, 1e-8, 1e-3]))
def test_adam_without_momentum_is_rms_with_bias_correction(grads, beta2, eps):
    # beta1 = 0 makes m_t = g_t and 1 - beta1^t = 1, so Adam is
    # u_t = g_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps): exactly bias-corrected RMSprop
    params = np.zeros_like(grads[0])
    ours = path_of(scale_by_adam(betas=(0.0, beta2), eps=eps), params, grads)
    rms = path_of(scale_by_rms(alpha=beta2, eps=eps, bias_correction=True), params, grads)
    np.testing.assert_array_equal(ours, rms)


@settings(max_examples=40, deadline=None)
@given(grads=grad_seqs, beta2=st.floats(0.5, 0.999), lr=st.floats(1e-4, 1.0))
def test_adam_without_momentum_and_eps_is_rmsprop_with_a_warmup_schedule(grads, beta2, lr):
    # with eps = 0 the bias correction factors out of the denominator:
    #   lr * g / (sqrt(v) / sqrt(1 - b2^t)) = (lr * sqrt(1 - b2^t)) * g / sqrt(v),
    # torch's RMSprop (alpha = b2, eps = 0) under the schedule lr_t = lr * sqrt(1 - b2^(t+1))
    params = np.zeros_like(grads[0])
    ours = path_of(adam(lr=lr, betas=(0.0, beta2), eps=0.0), params, grads)
    schedule = lambda step: lr * math.sqrt(1.0 - beta2 ** (step + 1))   # noqa: E731
    np.testing.assert_allclose(ours, path_of(rmsprop(lr=schedule, alpha=beta2, eps=0.0), params, grads),
                               rtol=1e-13, atol=1e-15 * lr)


def test_the_warmup_identity_needs_eps_zero():
    # with eps > 0 Adam's effective eps is eps * sqrt(1 - b2^t), which no constant eps reproduces
    g = [np.array([1e-6])]
    ours = path_of(adam(lr=1.0, betas=(0.0, 0.999)), np.zeros(1), g)
    theirs = path_of(rmsprop(lr=lambda s: math.sqrt(1 - 0.999 ** (s + 1)), alpha=0.999), np.zeros(1), g)
    assert abs(ours[0, 0] - theirs[0, 0]) > 0.1 * abs(ours[0, 0])


def test_adamw_without_weight_decay_is_adam():
    for hyper in ({}, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3, amsgrad=True)):
        np.testing.assert_array_equal(path_of(adamw(weight_decay=0.0, **hyper), P0, GRADS),
                                      path_of(adam(**hyper), P0, GRADS))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_weight_decay_is_l2_added_to_the_gradient(amsgrad):
    # adam(weight_decay=wd) on f is adam() on f + wd/2 |x|^2
    curvatures = np.array([1.0, 10.0, 100.0, 0.5])
    with_l2 = path_on(adam(lr=0.05, weight_decay=0.3, amsgrad=amsgrad), lambda x: curvatures * x, P0, 50)
    plain = path_on(adam(lr=0.05, amsgrad=amsgrad), lambda x: curvatures * x + 0.3 * x, P0, 50)
    np.testing.assert_allclose(with_l2, plain, rtol=1e-15, atol=0)
    decoupled = path_on(adamw(lr=0.05, weight_decay=0.3, amsgrad=amsgrad), lambda x: curvatures * x, P0, 50)
    assert np.abs(decoupled - with_l2).max() > 1e-3                 # AdamW is another method


def test_adamw_is_a_shrink_then_the_adam_step():
    # each step: theta <- (1 - lr wd) theta + (the adam step, which ignores theta)
    adam_steps = np.diff(np.vstack([P0, path_of(adam(lr=0.05), P0, GRADS)]), axis=0)
    params, expected = P0, []
    for step in adam_steps:
        params = (1 - 0.05 * 0.2) * params + step
        expected.append(params)
    np.testing.assert_allclose(path_of(adamw(lr=0.05, weight_decay=0.2), P0, GRADS), expected,
                               rtol=1e-13, atol=1e-15)


def test_adamw_chain_order():
    # the decay after the Adam scaling (not rescaled by it), before the learning rate
    opt = chain(scale_by_adam(), add_decayed_weights(0.2), scale_by_learning_rate(0.05))
    np.testing.assert_array_equal(path_of(opt, P0, GRADS), path_of(adamw(lr=0.05, weight_decay=0.2), P0, GRADS))
    wrong = chain(add_decayed_weights(0.2), scale_by_adam(), scale_by_learning_rate(0.05))
    assert np.abs(path_of(wrong, P0, GRADS) - path_of(opt, P0, GRADS)).max() > 1e-3


@pytest.mark.parametrize("make, blocks", [
    (lambda: adam(lr=0.05), lambda: chain(scale_by_adam(), scale_by_learning_rate(0.05))),
    (lambda: adagrad(lr=0.05, lr_decay=0.1),
     lambda: chain(scale_by_adagrad(lr_decay=0.1), scale_by_learning_rate(0.05))),
    (lambda: rmsprop(lr=0.05, centered=True),
     lambda: chain(scale_by_rms(centered=True), scale_by_learning_rate(0.05))),
    (lambda: rmsprop(lr=0.05, momentum=0.5),
     lambda: chain(scale_by_rms(), optim.scale_by_momentum(0.5), scale_by_learning_rate(0.05))),
])
def test_named_optimizers_are_chains_of_blocks(make, blocks):
    np.testing.assert_array_equal(path_of(make(), P0, GRADS), path_of(blocks(), P0, GRADS))


@settings(max_examples=40, deadline=None)
@given(grads=grad_seqs, beta1=st.floats(0.0, 0.95), beta2=st.floats(0.5, 0.999))
def test_amsgrad_denominator_never_decreases(grads, beta1, beta2):
    ams, plain = scale_by_adam((beta1, beta2), amsgrad=True), scale_by_adam((beta1, beta2))
    state = ams.init(np.zeros_like(grads[0]))
    for g in grads:
        old = state
        u_ams, state = ams.update(g, old)
        u_plain, _ = plain.update(g, old)                    # Adam from the same moments
        assert np.all(state.nu_max >= old.nu_max) and np.all(state.nu_max >= state.nu)
        np.testing.assert_array_equal(state.nu_max, np.maximum(old.nu_max, state.nu))
        # a larger denominator: the AMSGrad step is never longer than Adam's from the same state
        assert np.all(np.abs(u_ams) <= np.abs(u_plain) * (1 + 1e-15))


def test_amsgrad_is_adam_while_the_second_moment_grows():
    # |g_t| nondecreasing makes v_t nondecreasing, so the running max is v_t itself
    grads = [np.array([1.0, -2.0]) * (1 + 0.1 * t) for t in range(20)]
    np.testing.assert_array_equal(path_of(adam(lr=0.1, amsgrad=True), np.zeros(2), grads),
                                  path_of(adam(lr=0.1), np.zeros(2), grads))
    # v_t only falls once g_t^2 drops below it (v_t is about (1 - 0.999^t) g^2 early on)
    shrinking = [np.array([1.0, -2.0])] * 5 + [np.array([0.01, -0.02])] * 15
    assert np.abs(path_of(adam(lr=0.1, amsgrad=True), np.zeros(2), shrinking)
                  - path_of(adam(lr=0.1), np.zeros(2), shrinking)).max() > 1e-3


@pytest.mark.parametrize("make", [lambda: adagrad(lr=0.1, eps=0.0), lambda: rmsprop(lr=0.1, eps=0.0),
                                  lambda: rmsprop(lr=0.1, eps=0.0, centered=True, momentum=0.5),
                                  lambda: adam(lr=0.1, eps=0.0), lambda: adamw(lr=0.1, eps=0.0)],
                         ids=["adagrad", "rmsprop", "rmsprop-centered", "adam", "adamw"])
@settings(max_examples=25, deadline=None)
@given(grads=grad_seqs, scale=st.floats(1e-3, 1e3))
def test_scale_invariance_without_eps(make, grads, scale):
    # dividing by the gradient's own size: the same steps whatever the units of f
    params = np.zeros_like(grads[0])
    np.testing.assert_allclose(path_of(make(), params, [scale * g for g in grads]),
                               path_of(make(), params, grads), rtol=1e-12, atol=1e-14)


# --- purity ----------------------------------------------------------------------------------

OPTIMIZERS = {
    "adagrad": lambda: adagrad(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1),
    "rmsprop": lambda: rmsprop(lr=0.01),
    "rmsprop-centered-momentum": lambda: rmsprop(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1),
    "adam": lambda: adam(lr=0.1),
    "adam-amsgrad-l2": lambda: adam(lr=0.1, amsgrad=True, weight_decay=0.1),
    "adamw": lambda: adamw(lr=0.1, weight_decay=0.1),
    "adamw-amsgrad-schedule": lambda: adamw(lr=cosine_schedule(0.1, 10), amsgrad=True),
    "scale_by_adam": lambda: scale_by_adam(amsgrad=True),
    "scale_by_rms": lambda: scale_by_rms(centered=True, bias_correction=True),
    "scale_by_adagrad": lambda: scale_by_adagrad(lr_decay=0.5),
}
arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
                    elements=st.floats(-10, 10))


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_update_is_pure(name, data):
    params = data.draw(arrays)
    grads_seq = [data.draw(hnp.arrays(np.float64, params.shape, elements=st.floats(-10, 10)))
                 for _ in range(3)]
    opt = OPTIMIZERS[name]()
    state = opt.init(params)
    kept, copies = [state], [copy.deepcopy(state)]
    for grads in grads_seq:
        before = (params.copy(), grads.copy())
        updates, state = opt.update(grads, state, params)
        np.testing.assert_array_equal(params, before[0])
        np.testing.assert_array_equal(grads, before[1])
        assert updates is not grads and updates is not params
        next_params = apply_updates(params, updates)
        after = copy.deepcopy(state)
        updates[...] = 123.0          # the caller owns the updates: writing them changes no state
        grads[...] = -7.0             # nor does reusing the gradient's array
        np.testing.assert_equal(state, after)
        params = next_params
        kept.append(state)
        copies.append(after)
    for old, copied in zip(kept, copies):   # no later update touched an earlier state
        np.testing.assert_equal(old, copied)


def test_update_is_pure_on_dicts():
    params = {"w": np.ones((2, 2)), "b": np.zeros(2)}
    grads = {"w": np.full((2, 2), 0.5), "b": np.ones(2)}
    for name, make in OPTIMIZERS.items():
        opt = make()
        state = opt.init(params)
        _, state1 = opt.update(grads, state, params)
        snapshot = copy.deepcopy((params, grads, state1))
        updates, _ = opt.update(grads, state1, params)
        updates["w"][...] = 5.0
        np.testing.assert_equal((params, grads, state1), snapshot, err_msg=name)


def test_states_can_be_kept_and_replayed():
    # an old state is still a valid starting point: the same gradients give the same path
    opt = adam(lr=0.1, amsgrad=True)
    state0 = opt.init(P0)
    _, state1 = opt.update(GRADS[0], state0, P0)
    first, _ = opt.update(GRADS[1], state1, P0)
    for g in GRADS[2:6]:
        _, state1_later = opt.update(g, state1, P0)   # branch off the same state repeatedly
    again, _ = opt.update(GRADS[1], state1, P0)
    np.testing.assert_array_equal(first, again)


# --- many runs at once, dicts, schedules, dtypes -------------------------------------------------

SWEEPABLE = {
    "adagrad": lambda lr: adagrad(lr=lr, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1),
    "rmsprop": lambda lr: rmsprop(lr=lr),
    "rmsprop-centered-momentum": lambda lr: rmsprop(lr=lr, centered=True, momentum=0.9, weight_decay=0.1),
    "adam": lambda lr: adam(lr=lr),
    "adam-amsgrad-l2": lambda lr: adam(lr=lr, amsgrad=True, weight_decay=0.1),
    "adamw": lambda lr: adamw(lr=lr, weight_decay=0.1),
}


@pytest.mark.parametrize("name", SWEEPABLE)
def test_array_lr_sweep_equals_separate_runs(name):
    lrs = np.array([0.01, 0.05, 0.2])
    make = SWEEPABLE[name]
    d = 2
    starts = np.array([[1.0, -2.0], [0.5, 0.5], [-3.0, 1.0]]).T        # (d, n): one column per run
    curvatures = np.array([[1.0], [50.0]])
    sweep = path_on(make(lrs), lambda x: curvatures * x, starts, 40)
    for j, lr in enumerate(lrs):
        single = path_on(make(float(lr)), lambda x: curvatures[:, 0] * x, starts[:, j], 40)
        np.testing.assert_array_equal(sweep[:, :, j], single)
    assert sweep.shape == (40, d, 3)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v[1]], ids=[variant_id(v) for v in VARIANTS if v[1]])
def test_large_arrays_give_the_same_numbers(variant):
    # 10^5 entries in a 2-D shape with a non-contiguous gradient: the update must equal the
    # reference loop, and each row on its own bit for bit (everything is elementwise)
    name, hyper = variant
    make, reference = REFERENCES[name]
    rng = np.random.default_rng(5)
    params = rng.standard_normal((331, 317))
    grads = [np.ascontiguousarray(rng.standard_normal((317, 331))).T for _ in range(4)]
    assert not grads[0].flags.c_contiguous
    big = path_of(make(**hyper), params, grads)
    np.testing.assert_allclose(big, reference(fixed(grads), params, 4, **hyper), rtol=1e-12, atol=1e-14)
    for i in (0, 103, 330):
        np.testing.assert_array_equal(big[:, i], path_of(make(**hyper), params[i], [g[i] for g in grads]))


def test_run_many_with_an_lr_sweep_equals_run():
    lrs = np.array([0.01, 0.05, 0.3])
    surface = quadratic(10)
    many = run_many(adam(lr=lrs), surface, np.tile([1.5, -1.0], (3, 1)), steps=150)
    for j, lr in enumerate(lrs):
        single = run(adam(lr=float(lr)), surface, [1.5, -1.0], steps=150, tol=0)
        np.testing.assert_allclose(many.x[j], single.x, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if not n.startswith("scale_by")])
def test_dict_params_equal_separate_runs(name):
    make = OPTIMIZERS[name]
    params = {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25])}
    grads = [{"w": np.array([[0.3, -1.0], [2.0, 0.1]]) * (t + 1), "b": np.array([(-1.0) ** t])}
             for t in range(5)]
    together = path_of(make(), params, grads)
    for key in params:
        alone = path_of(make(), params[key], [g[key] for g in grads])
        np.testing.assert_array_equal(np.array([p[key] for p in together]), alone)


def test_schedule_as_lr_matches_the_reference_loop():
    schedule = cosine_schedule(0.2, total_steps=len(GRADS), min_lr=0.01)
    for name, hyper in [("adam", dict(amsgrad=True)), ("adamw", dict(weight_decay=0.3)),
                        ("adagrad", dict(lr_decay=0.1)), ("rmsprop", dict(momentum=0.5, centered=True))]:
        make, reference = REFERENCES[name]
        np.testing.assert_allclose(path_of(make(lr=schedule, **hyper), P0, GRADS),
                                   reference(fixed(GRADS), P0, len(GRADS), lr=schedule, **hyper),
                                   rtol=1e-13, atol=1e-15, err_msg=name)


def test_schedule_is_called_with_step_zero_first():
    calls = []

    def schedule(step):
        calls.append(step)
        return 0.1

    opt = adam(lr=schedule)
    path_of(opt, P0, GRADS[:3])
    assert calls == [0, 1, 2]


def test_gradients_of_other_dtypes_become_float64():
    opt = adam(lr=0.1)
    state = opt.init(np.zeros(2))
    updates, state = opt.update(np.array([1, -2], dtype=np.float32), state, np.zeros(2))
    assert updates.dtype == np.float64 and state[1].nu.dtype == np.float64
    list_updates, _ = opt.update([1.0, -2.0], opt.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_array_equal(updates, list_updates)
    assert opt.init([1, 2])[1].mu.dtype == np.float64


def test_state_layout():
    params = np.zeros(3)
    assert isinstance(adam().init(params)[1], ScaleByAdamState)
    assert isinstance(adamw().init(params)[0], ScaleByAdamState)
    assert adam().init(params)[1].nu_max is None and adam(amsgrad=True).init(params)[1].nu_max.shape == (3,)
    state = rmsprop(momentum=0.9, centered=True).init(params)
    assert isinstance(state[1], ScaleByRmsState) and state[1].mu.shape == (3,)
    assert rmsprop().init(params)[1].mu is None and len(rmsprop().init(params)) == 4
    state = adagrad(initial_accumulator_value=0.5).init(params)
    np.testing.assert_array_equal(state[1].sum_of_squares, [0.5, 0.5, 0.5])
    assert repr(adam().init(np.zeros(1))[1]) == (
        "ScaleByAdamState(count=0, mu=array([0.]), nu=array([0.]), nu_max=None)")


# --- through gdlearn.run.run -----------------------------------------------------------------

def test_run_on_rosenbrock_follows_the_reference_loop():
    trace = run(adam(lr=0.1), rosenbrock, rosenbrock.start, steps=300, tol=0)
    assert trace.status == "max_steps" and trace.steps == 300
    expected = ref_adam(rosenbrock.grad, np.array(rosenbrock.start, dtype=float), 300, lr=0.1)
    np.testing.assert_allclose(trace.xs[1:], expected, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(trace.fs, rosenbrock.f(trace.xs.T), rtol=1e-14)
    assert trace.f < rosenbrock.f(np.array(rosenbrock.start)) / 100     # 24.2 -> about 0.19


@pytest.mark.parametrize("opt", [adagrad(lr=0.5), rmsprop(lr=0.01), adam(lr=0.05), adamw(lr=0.05, weight_decay=0.0),
                                 adam(lr=0.05, amsgrad=True)],
                         ids=["adagrad", "rmsprop", "adam", "adamw", "amsgrad"])
def test_run_converges_on_an_ill_conditioned_quadratic(opt):
    trace = run(opt, quadratic(100), [1.0, 1.0], steps=3000, tol=1e-3)
    assert trace.status == "converged", trace.message
    assert np.abs(trace.x).max() < 0.05


def test_record_states_keeps_every_state():
    trace = run(adam(lr=0.1), quadratic(10), [1.0, 1.0], steps=5, tol=0, record_states=True)
    counts = [s[1].count for s in trace.states]
    assert counts == [1, 2, 3, 4, 5]
    # every kept state is its own: the first moments differ from step to step
    assert len({s[1].mu.tobytes() for s in trace.states}) == 5


# --- bad input -------------------------------------------------------------------------------

BAD = [
    # (constructor, kwargs, error, message pattern)
    *[(make, {"lr": lr}, ValueError, "lr") for make in (adagrad, rmsprop, adam, adamw)
      for lr in (0, -1e-3, float("nan"), float("inf"), np.array([0.1, 0.0]))],
    *[(make, {"lr": lr}, TypeError, "lr") for make in (adagrad, rmsprop, adam, adamw)
      for lr in ("0.1", None, True)],
    (adagrad, {"lr_decay": -0.1}, ValueError, r"lr_decay must be >= 0, got -0.1"),
    (adagrad, {"lr_decay": "0"}, TypeError, "lr_decay"),
    (adagrad, {"weight_decay": -1.0}, ValueError, "weight_decay must be >= 0"),
    (adagrad, {"initial_accumulator_value": -0.5}, ValueError, r"initial_accumulator_value must be >= 0"),
    (adagrad, {"initial_accumulator_value": [0.1]}, TypeError, "initial_accumulator_value"),
    (adagrad, {"eps": -1e-10}, ValueError, "eps must be >= 0"),
    (adagrad, {"eps": float("nan")}, ValueError, "eps"),
    (rmsprop, {"alpha": 1.0}, ValueError, r"alpha must be in \[0, 1\), got 1.0"),
    (rmsprop, {"alpha": -0.1}, ValueError, "alpha"),
    (rmsprop, {"alpha": None}, TypeError, "alpha"),
    (rmsprop, {"eps": -1.0}, ValueError, "eps must be >= 0"),
    (rmsprop, {"weight_decay": -0.1}, ValueError, "weight_decay"),
    (rmsprop, {"momentum": -0.5}, ValueError, r"momentum must be in \[0, 1\)"),
    (rmsprop, {"momentum": 1.0}, ValueError, "momentum"),
    (rmsprop, {"momentum": "0.9"}, TypeError, "momentum"),
    (rmsprop, {"centered": 1}, TypeError, "centered must be True or False"),
    (rmsprop, {"centered": "yes"}, TypeError, "centered"),
    *[(make, {"betas": betas}, ValueError, pattern) for make in (adam, adamw) for betas, pattern in [
        ((1.0, 0.999), r"betas\[0\] must be in \[0, 1\), got 1.0"),
        ((-0.1, 0.999), r"betas\[0\]"),
        ((0.9, 1.0), r"betas\[1\] must be in \[0, 1\)"),
        ((0.9, float("nan")), r"betas\[1\]"),
        ((0.9,), "betas must be a pair"),
        ((0.9, 0.99, 0.999), "betas must be a pair"),
    ]],
    *[(make, {"betas": betas}, TypeError, "betas") for make in (adam, adamw)
      for betas in (0.9, "ab", None, ("0.9", 0.999), (0.9, None))],
    *[(make, {"eps": eps}, ValueError, "eps") for make in (adam, adamw) for eps in (-1e-8, float("nan"))],
    (adam, {"eps": "1e-8"}, TypeError, "eps"),
    (adam, {"weight_decay": -1e-2}, ValueError, "weight_decay must be >= 0"),
    (adamw, {"weight_decay": -1e-2}, ValueError, "weight_decay must be >= 0"),
    (adamw, {"weight_decay": None}, TypeError, "weight_decay"),
    (adam, {"amsgrad": "no"}, TypeError, "amsgrad must be True or False"),
    (adamw, {"amsgrad": 0}, TypeError, "amsgrad"),
    (scale_by_adam, {"betas": (0.9, 1.5)}, ValueError, r"betas\[1\]"),
    (scale_by_rms, {"bias_correction": None}, TypeError, "bias_correction"),
    (scale_by_rms, {"alpha": 2.0}, ValueError, "alpha"),
    (scale_by_adagrad, {"lr_decay": -1}, ValueError, "lr_decay"),
]


@pytest.mark.parametrize("make, kwargs, error, match", BAD,
                         ids=[f"{m.__name__}-{k}-{i}" for i, (m, k, _, _) in enumerate(BAD)])
def test_bad_hyperparameters_raise(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_grads_shape_must_match_state(name):
    opt = OPTIMIZERS[name]()
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"grads shape \(3,\) does not match"):
        opt.update(np.ones(3), state, np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):       # broadcastable is not enough
        opt.update(np.ones((2, 1)), state, np.zeros(2))


def test_dict_keys_must_match():
    opt = adam(lr=0.1)
    state = opt.init({"w": np.zeros(2), "b": np.zeros(1)})
    with pytest.raises(ValueError, match=r"\['b', 'w'\]"):
        opt.update({"w": np.ones(2)}, state, {"w": np.zeros(2)})
    with pytest.raises(ValueError, match="does not match"):
        opt.update(np.ones(2), state, np.zeros(2))


def test_nested_params_and_non_numbers_are_rejected():
    with pytest.raises(TypeError, match="nothing deeper"):
        adam().init({"layer": {"w": np.zeros(2)}})
    with pytest.raises(TypeError, match="grads"):
        adam().update("not an array", adam().init(np.zeros(2)), np.zeros(2))


def test_wrong_state_is_rejected():
    with pytest.raises(TypeError, match="ScaleByAdamState"):
        adam().update(np.ones(2), rmsprop().init(np.zeros(2))[:3], np.zeros(2))
    with pytest.raises(ValueError, match="state"):
        adam().update(np.ones(2), (), np.zeros(2))
    with pytest.raises(TypeError, match="ScaleByAdagradState"):
        scale_by_adagrad().update(np.ones(2), scale_by_rms().init(np.zeros(2)))


def test_array_lr_must_broadcast_against_params():
    with pytest.raises(ValueError, match=r"lr shape \(3,\) does not broadcast against params shape \(2, 4\)"):
        adam(lr=np.full(3, 0.1)).init(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"lr shape \(4, 1\)"):
        adamw(lr=np.full((4, 1), 0.1)).init(np.zeros(4))


def test_l2_weight_decay_needs_params():
    for opt in (adam(weight_decay=0.1), adamw(), adagrad(weight_decay=0.1), rmsprop(weight_decay=0.1)):
        with pytest.raises(TypeError, match="params"):
            opt.update(np.ones(2), opt.init(np.zeros(2)))
