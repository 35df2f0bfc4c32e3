# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 07, details — derivations, sweeps and forensics of the troubleshooting chapter
#
# This notebook holds what [chapter 07](07_troubleshooting.ipynb) leaves out of its
# story: the derivations, the longer measurements and the checks behind its shorter
# sentences. It is reference for the curious, not needed for the exercises. Each
# section runs on its own (it recomputes what it needs from the chapter); the cell
# after the setup rebuilds the data that several sections share, exactly as the
# chapter draws it. Every number in the text is computed and asserted below.

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
from gdlearn.notebook import setup
setup()

import matplotlib.pyplot as plt
import numpy as np

from gdlearn import calculus, data, models, normalization, style, troubles
from gdlearn.data import poly_features
from gdlearn.optim import apply_updates, chain, clip_by_global_norm, clip_by_value, sgd
from gdlearn.run import run
from gdlearn.surfaces import saddle

COLORS = style.PALETTE

# %%
# The data of the chapter's sections 1, 2 and 7, drawn in the chapter's order from the same seed.
rng = np.random.default_rng(0)
width, depth = 16, 30
X_small, Y_small = rng.standard_normal((5, 3)), rng.uniform(0, 1, (5, 3))        # the gradient checks
X_deep = rng.standard_normal((64, width))                                         # the 30-layer chains
sigmoid_targets = rng.uniform(0, 1, (64, width))                                  # both sigmoid chains'
rng.uniform(0, 1, (64, width)), rng.uniform(0, 1, (64, width))                    # the tanh and ReLU chains'
M = rng.standard_normal((width, width)) / 4                                       # the 20-layer training task
X_train_chain = rng.standard_normal((64, width))
Y_train_chain = troubles.ACTIVATIONS["sigmoid"][0](X_train_chain @ M)
predict_the_mean = 0.5 * np.sum((Y_train_chain - Y_train_chain.mean(axis=0)) ** 2) / 64
X4, Y4 = rng.standard_normal((32, 4)), rng.standard_normal((32, 4))               # section 7's small chain


def train_bn(lr=0.1, steps=300, depth=20, momentum=0.1):
    """The chapter's section 2: gradient descent on the batch-normalized chain, with running statistics."""
    params = normalization.init_bn_chain(depth, width, seed=1)
    running = [(np.zeros(width), np.ones(width)) for _ in range(depth)]   # torch's start: mean 0, variance 1
    opt = sgd(lr=lr)
    state = opt.init(params)
    losses = []
    for _ in range(steps + 1):
        acts, _ = normalization.bn_chain_forward(params, X_train_chain, "sigmoid")
        losses.append(0.5 * np.sum((acts[-1] - Y_train_chain) ** 2) / 64)
        running = [normalization.update_running_stats(m, v, acts[l] @ params[f"W{l + 1}"], momentum)
                   for l, (m, v) in enumerate(running)]
        if len(losses) > steps:
            break
        grads = normalization.bn_chain_backprop(params, X_train_chain, Y_train_chain, "sigmoid")
        updates, state = opt.update(grads, state, params)
        params = apply_updates(params, updates)
    return np.array(losses), params, running


# %% [markdown]
# ## A. The sigmoid chain's ratios, layer by layer
#
# Section 1 of the chapter measured $|\partial\mathcal L/\partial W_1| / |\partial\mathcal L/\partial W_{30}|$
# in the 30-layer sigmoid chain: $2.7\cdot10^{-19}$ with tanh's weight scale ($s = 1$, weights
# $N(0, s^2/\text{width})$) and about $3\cdot10^{-8}$ with $s = 4$. A rough account: each
# layer down multiplies the gradient by about $s \cdot \overline{\sigma'}$, the weight
# scale times the average slope at that layer's pre-activations $z$, so over the 29
# steps from layer 30 to layer 1 by about $(s\,\overline{\sigma'})^{29}$. Measured:

# %%
for s_w, label in [(1.0, "sigmoid, Xavier"), (4.0, "sigmoid, 4 x Xavier")]:   # the per-layer factor s * mean sigma'
    chain_s = troubles.init_chain(depth, width, init="xavier", scale=s_w, seed=1)
    norms_s = troubles.layer_grad_norms(troubles.chain_backprop(chain_s, X_deep, sigmoid_targets, "sigmoid"))
    zs, acts_s = troubles.chain_forward(chain_s, X_deep, "sigmoid")
    assert np.all(np.array(acts_s[1:]) > 0) and 0.4 < np.mean(acts_s[1:]) < 0.6     # outputs positive, mean ~ 1/2
    mean_slope = float(np.mean(troubles.ACTIVATIONS["sigmoid"][1](np.array(zs[1:]))))
    rms_z = float(np.sqrt(np.mean(np.array(zs[1:]) ** 2)))
    predicted = (s_w * mean_slope) ** (depth - 1)
    measured = norms_s[0] / norms_s[-1]
    print(f"{label}: RMS of z {rms_z:.2f}, mean sigma' {mean_slope:.3f}, (s * mean sigma')^29 = {predicted:.1e}, "
          f"measured ratio {measured:.1e}")
    assert 0.5 < predicted / measured < 2.5                                   # within a factor of 2.5
    if s_w == 1.0:
        assert 0.234 < mean_slope < 0.235 and 0.52 < rms_z < 0.54           # 0.234, 0.53
        assert 5.2e-19 < predicted < 5.6e-19 and 2.6e-19 < measured < 2.8e-19  # 5.4e-19 against 2.7e-19
    else:
        assert 0.1335 < mean_slope < 0.1345 and 2.44 < rms_z < 2.47             # 0.134, 2.45
        assert 1.4e-8 < predicted < 1.6e-8 and 2.5e-8 < measured < 2.7e-8      # 1.5e-8 against 2.6e-8

# %% [markdown]
# At $s = 1$ the pre-activations stay near 0 (root mean square 0.53), where the
# average slope is $\overline{\sigma'} = 0.234$, and $0.234^{29} = 5.4\cdot10^{-19}$,
# twice the measured $2.7\cdot10^{-19}$. At $s = 4$ they spread out (root mean square
# 2.45: the weights' variance is $s^2/\text{width}$, so the spread is about $s$ times
# the root mean square of the sigmoid's outputs, which are all positive with mean near
# $1/2$), the average slope falls to 0.134, and $(4 \times 0.134)^{29} = 1.5\cdot10^{-8}$
# against the measured $2.6\cdot10^{-8}$. The estimate ignores that the slopes and the
# weights vary from unit to unit; it gets the order of magnitude, which is the point.
#
# ## B. The backward pass of batch normalization
#
# Per unit (column), with $n$ samples in the batch, batch normalization computes
#
# $$\mu = \frac1n \sum_{i=1}^n z_i, \quad \sigma^2 = \frac1n \sum_{i=1}^n (z_i - \mu)^2, \quad
# \hat z_i = \frac{z_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
# \mathrm{BN}(z)_i = \gamma \odot \hat z_i + \beta .$$
#
# Since $\mu$ and $\sigma^2$ depend on every sample of the batch, the gradient with
# respect to one $z_i$ does too. With
# $\hat g_i = \gamma \odot \partial\mathcal L/\partial\,\mathrm{BN}(z)_i$ and bars for means over the batch,
# the chain rule through $\mu$ and $\sigma^2$ gives
#
# $$\frac{\partial \mathcal L}{\partial z_i} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}
# \Big(\hat g_i - \overline{\hat g} - \hat z_i\, \overline{\hat g \odot \hat z}\Big), \qquad
# \frac{\partial \mathcal L}{\partial \gamma} = \sum_i \frac{\partial \mathcal L}{\partial\,\mathrm{BN}(z)_i} \odot \hat z_i, \qquad
# \frac{\partial \mathcal L}{\partial \beta} = \sum_i \frac{\partial \mathcal L}{\partial\,\mathrm{BN}(z)_i}.$$
#
# The two subtracted terms remove the part of the gradient that would only shift
# or rescale the whole batch, which the normalization undoes anyway.
#
# **Derivation.** Per unit, with $s = \sqrt{\sigma^2 + \epsilon}$: $\partial\mu/\partial z_i = 1/n$ and
# $\partial\sigma^2/\partial z_i = 2(z_i - \mu)/n$ (the path through $\mu$ adds
# $-\tfrac2n\sum_j (z_j - \mu)/n = 0$), so $\partial s/\partial z_i = \hat z_i/n$ and
#
# $$\frac{\partial \hat z_j}{\partial z_i} = \frac{\delta_{ij} - 1/n}{s} - \frac{z_j - \mu}{s^2}\,\frac{\hat z_i}{n}
# = \frac1s\Big(\delta_{ij} - \frac1n - \frac{\hat z_i \hat z_j}{n}\Big).$$
#
# Since $\partial\mathcal L/\partial \hat z_j = \hat g_j$, summing $\hat g_j\,\partial\hat z_j/\partial z_i$
# over $j$ gives the formula for $\partial\mathcal L/\partial z_i$ term by term.
# `normalization.batch_norm_backward` implements it and `bn_chain_backprop` uses it
# in the normalized chain; both agree with finite differences:

# %%


rng_bn = np.random.default_rng(7)
z_check, R_check = rng_bn.normal(size=(6, 3)) * [1.0, 5.0, 0.2] + 2, rng_bn.normal(size=(6, 3))
gamma_check, beta_check = np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.3, 0.0])
_, cache = normalization.batch_norm_forward(z_check, gamma_check, beta_check)
dz, dgamma, dbeta = normalization.batch_norm_backward(R_check, cache)      # the loss sum(R * BN(z))
bn_loss = lambda flat: float(np.sum(R_check * normalization.batch_norm_forward(
    flat.reshape(6, 3), gamma_check, beta_check)[0]))
assert np.allclose(dz.ravel(), calculus.numerical_gradient(bn_loss, z_check.ravel()), rtol=1e-5, atol=1e-8)
bn_params = normalization.init_bn_chain(4, 3, seed=1)
bn_grads = normalization.bn_chain_backprop(bn_params, X_small, Y_small, "sigmoid")
for key in ["W1", "gamma2", "beta4"]:
    def loss_of(flat, key=key):
        return normalization.bn_chain_loss({**bn_params, key: flat.reshape(bn_params[key].shape)},
                                           X_small, Y_small, "sigmoid")
    numeric = calculus.numerical_gradient(loss_of, bn_params[key].ravel())
    assert np.allclose(bn_grads[key].ravel(), numeric, rtol=1e-5, atol=1e-10), key
print("batch normalization's backward pass agrees with finite differences")

# %% [markdown]
# **Why the two weight scales give the same ratio.** In the chapter's section 2 the
# batch-normalized 30-layer chain with weights four times larger has a gradient four
# times smaller in every layer (measured below). A normalized layer's output does not change when its
# weights are multiplied by a constant $c$ (up to $\epsilon$), while its $\sigma$ is
# $c$ times larger, so the factor $1/\sqrt{\sigma^2 + \epsilon}$ of the backward pass
# divides that layer's weight gradient by $c$: $\nabla_{cW}\mathcal L = \nabla_W\mathcal L / c$
# in every layer at once, and the ratio between layers is unchanged.

# %%
norms_bn = {}
for s_w in [1.0, 4.0]:
    bn_chain = normalization.init_bn_chain(depth, width, init="xavier", scale=s_w, seed=1)
    norms_bn[s_w] = troubles.layer_grad_norms(normalization.bn_chain_backprop(bn_chain, X_deep, sigmoid_targets,
                                                                               "sigmoid"))
print("gradient norm per layer, s = 1 divided by s = 4:", (norms_bn[1.0] / norms_bn[4.0]).round(3)[[0, 9, 19, 29]])
assert np.allclose(4 * norms_bn[4.0], norms_bn[1.0], rtol=0.02)

# %% [markdown]
# ## C. Batch normalization in training and in evaluation mode
#
# torch's `BatchNorm1d` (see its documentation) updates its running statistics as
# $\hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu$ with `momentum` $m = 0.1$ (a weight on
# the *new* value, not the momentum of chapter 05), starting from $\hat\mu = 0$,
# $\hat\sigma^2 = 1$, and feeds the running variance the **unbiased** batch variance
# ($\sum_i (z_i - \mu)^2 / (n - 1)$) while normalizing with the biased one.
# `normalization.update_running_stats` does the same (`tests/test_normalization.py`
# compares it with torch), and `train_bn` (the cell after the setup, as in the chapter's section 2) keeps them.
# Evaluation mode, on the chain it trains:

# %%
loss_bn, params_bn, running_bn = train_bn()

def bn_chain_eval(params, running, X, activation="sigmoid"):
    """The normalized chain in evaluation mode: each layer uses its running statistics."""
    a = X
    for l, (mean, var) in enumerate(running, start=1):
        a = troubles.ACTIVATIONS[activation][0](
            normalization.batch_norm_eval(a @ params[f"W{l}"], params[f"gamma{l}"], params[f"beta{l}"], mean, var))
    return a


def output_in_batch(params, rows):
    """Training-mode output for sample 0 when it is normalized together with the samples `rows`."""
    acts, _ = normalization.bn_chain_forward(params, X_train_chain[[0] + rows], "sigmoid")
    return acts[-1][0]


acts_bn, _ = normalization.bn_chain_forward(params_bn, X_train_chain, "sigmoid")
out_train = acts_bn[-1]
out_eval = bn_chain_eval(params_bn, running_bn, X_train_chain)
gap = np.abs(out_train - out_eval).max()
pre = [acts_bn[l] @ params_bn[f"W{l + 1}"] for l in range(20)]           # this batch's pre-activations
gap_exact = np.abs(out_train - bn_chain_eval(params_bn, [(z.mean(0), z.var(0)) for z in pre], X_train_chain)).max()
gap_unbiased = np.abs(out_train - bn_chain_eval(params_bn, [(z.mean(0), z.var(0, ddof=1)) for z in pre],
                                                X_train_chain)).max()
batchmates = [output_in_batch(params_bn, list(range(k, k + 7))) for k in (1, 20, 40)]
spread = max(np.abs(b - batchmates[0]).max() for b in batchmates)
alone = bn_chain_eval(params_bn, running_bn, X_train_chain[:1])[0]
print(f"full batch, train vs eval mode: largest difference {gap:.3f}; with this batch's own statistics "
      f"{gap_exact:.0e}, with its unbiased variance {gap_unbiased:.3f}")
print(f"sample 0 in three batches of 8 (training mode): outputs differ by up to {spread:.2f}")
print(f"sample 0 alone in eval mode equals its row in the batch: {np.allclose(alone, out_eval[0], rtol=1e-12)}")
assert gap_exact < 1e-10 and 0.025 < gap_unbiased < 0.035 and 0.065 < gap < 0.075   # 0.03 and 0.07
assert 0.355 < spread < 0.365 and np.allclose(alone, out_eval[0], rtol=1e-12)

# %% [markdown]
# Even here, where every training step saw the same 64 samples, the two modes
# differ by up to 0.07 on an output between 0 and 1. Normalizing with the batch's own
# mean and biased variance reproduces training mode to round-off, so the gap has two
# sources: the running variance is built from the unbiased batch variance, $64/63$
# times the biased one (swapping in this batch's unbiased variance alone gives a
# difference of 0.03, accumulated over 20 layers), and the running averages are
# averages over past steps, whose weights differed from the final ones. And a sample
# put in batches of 8 with different companions gets visibly different outputs in
# training mode (up to 0.36 apart), while in evaluation mode its output is the same
# alone or in any batch.

# %% [markdown]
# ## D. The sharpest curvature of the batch-normalized chain
#
# The batch-norm loss curve of the chapter's section 2 is jagged, and that is not
# sampling noise: every step uses the same 64 samples, so the batch statistics are a
# fixed function of the weights. It is chapter 02's stability limit at work. To check
# it we need the largest eigenvalue $\lambda_{\max}$ of the loss's
# Hessian $H$ at the final weights, without forming $H$. Two tools do it:
#
# - **Hessian-vector products from gradients.** The gradient changes along a
#   direction $v$ at the rate $Hv$, so
#   $Hv \approx (\nabla f(w + hv) - \nabla f(w - hv))/(2h)$: two gradient
#   evaluations, no matrix.
# - **Power iteration.** Start from a random $v$ and repeat $v \leftarrow Hv/\|Hv\|$.
#   Writing $v$ in the eigenvectors of $H$, each step multiplies the component along
#   eigenvalue $\lambda_i$ by $\lambda_i$, so after many steps the component of largest
#   $|\lambda_i|$ dominates (if the random start has one, which it has with
#   probability 1), and the Rayleigh quotient $v^\top H v$ (with $\|v\| = 1$) tends to
#   that eigenvalue. Two checks are needed: the iteration has converged when $Hv$ is
#   parallel to $v$, and it finds the largest $|\lambda|$, which could belong to a
#   negative eigenvalue. Both are covered by one test, $\|Hv\| = v^\top H v$ (by
#   Cauchy–Schwarz, equality holds only when $Hv$ is a *positive* multiple of $v$),
#   asserted below within 1 %. The claim below needs even less: for every unit
#   vector $v$, $\lambda_{\max} \ge v^\top H v$, so a Rayleigh quotient above 20
#   already shows $\lambda_{\max} > 20$.
#
# At the end of the run the Rayleigh quotient exceeds $2/\eta = 20$, so the step
# overshoots along that direction, while the loss still falls over longer stretches
# (Cohen et al. 2021 found full-batch gradient descent on neural networks typically
# runs with its sharpest curvature just above $2/\eta$, the *edge of stability*). Lower
# rates give smooth curves, at a price (in this run, printed below). At $\eta = 0.003$
# ($2/\eta \approx 667$) the loss falls at every step but ends at 0.354, above the 0.333 of
# predicting the mean. The largest smooth rate of the scan 0.003, 0.008, 0.009 is 0.008
# (at 0.009 the loss rises at a few late steps); it ends at 0.244, which removes about a
# quarter of the mean predictor's loss but is almost four times the 0.065 of the jagged run
# at $\eta = 0.1$. A smooth curve is not the goal; lowering the rate until the jags vanish
# would here cost most of what the jagged run learns:

# %%
loss_bn, params_bn, _ = train_bn()

# %%
def bn_hess_vec(params, v, h=1e-4):
    """H v for the batch-normalized chain's loss, from central differences of its gradient."""
    keys = sorted(params)
    def grad_at(t):
        shifted = {k: params[k] + t * v[k] for k in keys}
        return normalization.bn_chain_backprop(shifted, X_train_chain, Y_train_chain, "sigmoid")
    g_plus, g_minus = grad_at(h), grad_at(-h)
    return {k: (g_plus[k] - g_minus[k]) / (2 * h) for k in keys}


rng_power = np.random.default_rng(1)
v = {k: rng_power.standard_normal(w.shape) for k, w in params_bn.items()}
for _ in range(100):                                       # power iteration on H at the final weights
    v_norm = np.sqrt(sum(np.sum(a**2) for a in v.values()))
    v = {k: a / v_norm for k, a in v.items()}
    hv = bn_hess_vec(params_bn, v)
    rayleigh = sum(np.sum(v[k] * hv[k]) for k in v)
    v = hv
loss_bn_slow = train_bn(lr=0.003)[0]
loss_bn_008, loss_bn_009 = train_bn(lr=0.008)[0], train_bn(lr=0.009)[0]
rises = int(np.sum(np.diff(loss_bn[50:]) > 0))
print(f"learning rate 0.1: v'Hv = {rayleigh:.1f} > 2/eta = 20; the loss rises at {rises} of the last 250 steps;"
      f" at learning rate 0.003 it rises at {int(np.sum(np.diff(loss_bn_slow) > 0))} of 300")
assert rayleigh > 1.05 * 2 / 0.1 and rises > 50
assert abs(np.sqrt(sum(np.sum(a**2) for a in hv.values())) / rayleigh - 1) < 0.01   # converged: |Hv| = v'Hv
assert np.all(np.diff(loss_bn_slow) < 0)
print(f"final loss: learning rate 0.1 {loss_bn[-1]:.3f}, learning rate 0.003 {loss_bn_slow[-1]:.3f}; "
      f"predicting the mean {predict_the_mean:.3f}")
assert loss_bn_slow[-1] > predict_the_mean and loss_bn[-1] < 0.25 * predict_the_mean   # smooth, but no learning
rises_009 = np.flatnonzero(np.diff(loss_bn_009) > 0) + 1
print(f"learning rate 0.008: final loss {loss_bn_008[-1]:.3f}, rises {int(np.sum(np.diff(loss_bn_008) > 0))}; "
      f"0.009: final loss {loss_bn_009[-1]:.3f}, rises at {len(rises_009)} steps, the first at step {rises_009[0]}")
assert np.all(np.diff(loss_bn_008) < 0) and 0.24 < loss_bn_008[-1] < 0.25          # smooth, 0.244
assert 0 < len(rises_009) < 20 and rises_009[0] > 250                                # 0.009: a few late rises
assert 0.2 < 1 - loss_bn_008[-1] / predict_the_mean < 0.3 and 3.5 < loss_bn_008[-1] / loss_bn[-1] < 4  # 27 %, x3.8
assert abs(loss_bn_slow[-1] - 0.354) < 0.0005 and abs(loss_bn[-1] - 0.065) < 0.0005

# %% [markdown]
# ## E. Where the clipped runs of the chapter's section 3 bounce
#
# In the chapter's section 3, both clipped runs down the recurrence's wall end with
# the gradient norm alternating from step to step. This section measures that bounce,
# the curvature where the runs end, and reruns them at lower rates. First the runs
# again, and the curvature of the flat valley floor at $w = 0$, where the floor is
# $b = 3$: there $h_T = b$, $\partial h_T/\partial w = h_{T-1} = 3$,
# $\partial h_T/\partial b = 1$, and since $h_T - y = 0$ on the floor the Hessian of
# $\tfrac12(h_T - y)^2$ is $\nabla h_T \nabla h_T^\top = \begin{pmatrix} 9 & 3 \\ 3 & 1\end{pmatrix}$,
# with largest eigenvalue 10: the stability limit $2/\lambda_{\max} = 0.2$ is ten times the rate 0.02.

# %%
wall = troubles.recurrence_surface(T=20, target=3.0)
lr, c, start = 0.02, 1.0, np.array(wall.start)
clipped = {name: run(chain(block(c), sgd(lr=lr)), wall, start, steps=200, tol=0)
           for name, block in [("by value", clip_by_value), ("by global norm", clip_by_global_norm)]}

for name, tr in clipped.items():                 # the tail alternates: every even step on one side of every odd one
    tail = tr.grad_norms[-40:]
    assert np.all(np.sign(np.diff(tail)[::2]) == np.sign(np.diff(tail)[0])) and np.all(np.diff(tail) != 0)
    print(f"clipped {name}, last 40 steps: |grad f| alternates between about {tail[0::2].mean():.2g} "
          f"and {tail[1::2].mean():.2g}")
assert abs(clipped["by value"].f - 0.107) < 0.002                 # ends at loss 0.107, bouncing
# the floor h_T = 3 has a second branch near w = -1.05: b = (3 - w^T) (1 - w) / (1 - w^T)
w_branch = -1.05
b_branch = (3 - w_branch**20) * (1 - w_branch) / (1 - w_branch**20)
assert abs(troubles.recurrence(w_branch, 1.0, np.full(20, b_branch))[-1] - 3) < 1e-9 and abs(b_branch + 0.43) < 0.01
print(f"second branch of the floor: (w, b) = ({w_branch}, {b_branch:.2f}); 0.9^20 = {0.9**20:.2f}, "
      f"0.5^20 = {0.5**20:.1e}")
assert abs(0.9**20 - 0.12) < 0.005 and 0.5**20 < 1e-6
# the curvature where the runs end, against the flat floor at w = 0 (the Hessian checked by finite differences)
assert np.allclose(wall.hess(np.array([0.0, 3.0])), [[9, 3], [3, 1]]) and np.isclose(
    np.linalg.eigvalsh(wall.hess(np.array([0.0, 3.0]))).max(), 10.0)
lam_end = {}
for name, tr in clipped.items():
    x_end = tr.xs[-1]
    assert np.allclose(wall.hess(x_end), calculus.numerical_hessian(wall.grad, x_end), rtol=1e-4, atol=1e-3)
    lam_end[name] = np.linalg.eigvalsh(wall.hess(x_end)).max()
    print(f"clipped {name}: ends at (w, b) = {x_end.round(3)}, lambda_max = {lam_end[name]:.0f}, "
          f"2/lambda_max = {2 / lam_end[name]:.4f} < lr = {lr}")
assert 250 < lam_end["by global norm"] < 320 and 750 < lam_end["by value"] < 950   # about 280 and 850
assert 0.78 < clipped["by global norm"].xs[-1][0] < 0.84 and 0.87 < clipped["by value"].xs[-1][0] < 0.93
assert all(2 / lam < 0.5 * lr for lam in lam_end.values())                         # the rate is too large there
for name, first_bounce in [("by value", 48), ("by global norm", 85)]:            # the bounce: from which step on
    signs = np.sign(np.diff(clipped[name].grad_norms))
    alternates = signs[1:] == -signs[:-1]
    assert np.all(alternates[first_bounce:]) and not alternates[first_bounce - 1]
    lengths = np.linalg.norm(np.diff(clipped[name].xs, axis=0), axis=1)
    assert 0.02 * (1 - 1e-5) < lengths.min() and lengths.max() < 0.02 * np.sqrt(2) * (1 + 1e-9)  # fixed by clipping

# %% [markdown]
# The largest curvature at the two end points is about 280 (global norm) and 850
# (by value), so $2/\lambda_{\max} \approx 0.007$ and $0.0023$, both below the rate
# 0.02: the floor steepens as it climbs toward $|w| = 1$. (The dashed floor of the chapter's figure also has
# a second branch at the left edge, e.g. $b \approx -0.43$ at $w = -1.05$; the runs
# do not go there.) So a clipped run that bounces like this needs a lower learning
# rate, below $2/\lambda_{\max}$ where it ends. Checked, with 800 steps:

# %%
slower = {(name, rate): run(chain(block(c), sgd(lr=rate)), wall, start, steps=800, tol=0)
          for name, block, rate in [("by global norm", clip_by_global_norm, 0.005),
                                    ("by value", clip_by_value, 0.005), ("by value", clip_by_value, 0.002)]}
for (name, rate), tr in slower.items():
    print(f"clipped {name}, lr = {rate}: loss after 200 steps {tr.fs[200]:.3g}, after 800 steps {tr.f:.3g}")
assert slower["by global norm", 0.005].f < 1e-20 and slower["by value", 0.002].f < 1e-20   # converged
assert slower["by value", 0.005].f > 1e-4                      # 0.005 > 2/850: by value still bounces
assert slower["by global norm", 0.005].fs[200] > 1             # the price: slower at first

# %% [markdown]
# At rate 0.005 (below $2/280 \approx 0.007$) the global-norm run converges; the
# by-value run, which ended where $2/\lambda_{\max} \approx 0.0023$, does not
# converge at 0.005 (its loss stays above $10^{-4}$) and converges at 0.002. The price is speed: after 200 steps the
# loss of the global-norm run at 0.005 is still above 1.

# %% [markdown]
# ## F. Saddles: the degenerate case, momentum's count, noise
#
# The chapter's section 4 counts the escape from the saddle $x^2 - y^2$:
# $k = \lceil \ln(1/\varepsilon)/\ln(1 + 2\eta) \rceil$ steps from $y_0 = \varepsilon$.
#
# The formula needs a saddle whose negative curvature is not zero (with curvature
# $-\lambda$ along $y$ the factor is $1 + \eta\lambda$). At a *degenerate* saddle
# such as $f = x^2 - y^4$ (Hessian $\mathrm{diag}(2, 0)$ at the origin) the step
# along $y$ is $y \mapsto y + 4\eta y^3$, cubically small near the manifold. The
# continuous version $\dot y = 4y^3$ reaches $|y| = \infty$ after time
# $1/(8y_0^2)$, so the escape takes about $1/(8\eta y_0^2)$ steps: polynomial in
# $1/\varepsilon$, not logarithmic. Counted ($x$ decouples, so only $y$ is iterated):

# %%
lr = 0.05                                 # the chapter's rate on the saddle


def degenerate_escape(y0, lr):
    """Steps of gradient descent on x^2 - y^4 (the y coordinate) until |y| >= 1."""
    y, k = y0, 0
    while abs(y) < 1:
        y, k = y + 4 * lr * y**3, k + 1
    return k

for eps in [1e-1, 1e-2]:
    k_deg, k_log = degenerate_escape(eps, lr), int(np.ceil(np.log(1 / eps) / np.log(1 + 2 * lr)))
    print(f"y0 = {eps:.0e}: x^2 - y^4 escapes after {k_deg} steps (1/(8 eta y0^2) = {1 / (8 * lr * eps**2):.0f});"
          f" x^2 - y^2 after {k_log}")
    assert abs(k_deg * 8 * lr * eps**2 - 1) < 0.02 and k_deg > 5 * k_log

# %% [markdown]
# **Momentum and noise.** The chapter measures that the heavy ball ($\beta = 0.9$) escapes
# from $y_0 = 10^{-9}$ in far fewer steps than gradient descent (77 against 218). Noise,
# here Gaussian noise of std $10^{-3}$ added to the gradient (a stand-in for mini-batch
# noise), gets a run out even from $y_0 = 0$, exactly on the manifold, where momentum
# cannot help. Both counts can be predicted:

# %%
def escape_step(trace):
    return int(np.argmax(np.abs(trace.xs[:, 1]) >= 1)) if np.any(np.abs(trace.xs[:, 1]) >= 1) else None


escape_gd = escape_step(run(sgd(lr=lr), saddle, [-1.8, 1e-9], steps=300, tol=0))
heavy = run(sgd(lr=lr, momentum=0.9), saddle, [-1.8, 1e-9], steps=300, tol=0)
rng_noise = np.random.default_rng(1)
noisy_escapes = []
for _ in range(20):                      # gradient descent plus Gaussian noise of std 1e-3 in the gradient,
    x_n = np.array([-1.8, 0.0])          # started exactly on the stable manifold
    for k in range(1, 301):
        x_n = x_n - lr * (saddle.grad(x_n) + 1e-3 * rng_noise.standard_normal(2))
        if abs(x_n[1]) >= 1:
            break
    noisy_escapes.append(k)
r_fast, r_slow = 1 + np.sqrt(0.1), 1 - np.sqrt(0.1)         # roots of r^2 - (1 + 2 lr + 0.9) r + 0.9 = 0
assert np.allclose(np.poly1d([1, -(1 + 2 * lr + 0.9), 0.9]).roots, [r_fast, r_slow])
a_fast = (1 + 2 * lr - r_slow) / (r_fast - r_slow)          # y_k = 1e-9 (a r_fast^k + (1 - a) r_slow^k)
k_heavy = int(np.ceil(np.log(1 / (a_fast * 1e-9)) / np.log(r_fast)))
print(f"heavy ball: growth factor {r_fast:.3f} per step (gradient descent {1 + 2 * lr:.3f}), "
      f"y_k = {a_fast:.3f} y0 {r_fast:.3f}^k predicts {k_heavy} steps; measured {escape_step(heavy)} "
      f"(gradient descent {escape_gd})")
assert escape_step(heavy) == k_heavy == 77 and abs(a_fast - 0.658) < 0.0005
k_noise = np.log(1 / (lr * 1e-3)) / np.log(1 + 2 * lr)          # as if started at y0 = lr * 1e-3 = 5e-5
print(f"noisy gradients from y0 = 0: median escape {np.median(noisy_escapes):.0f} steps; "
      f"as if started at 5e-5: {k_noise:.0f}")
assert 100 < k_noise < 108 and 0.75 * k_noise < np.median(noisy_escapes) < 1.25 * k_noise

# %% [markdown]
# $x$ and $y$ decouple, and along $y$ (where $-\partial f/\partial y = 2y$) the heavy ball
# of chapter 05 reads
# $y_{k+1} = y_k + 2\eta\,y_k + \beta\,(y_k - y_{k-1})$, a linear recursion whose
# solutions are combinations of $r^k$ with $r^2 - (1 + 2\eta + \beta)\,r + \beta = 0$.
# With $\eta = 0.05$, $\beta = 0.9$ this is $r^2 - 2r + 0.9 = 0$, so $r = 1 \pm \sqrt{0.1}$:
# $|y|$ grows by $1.316$ per step against gradient descent's $1 + 2\eta = 1.1$. The first step
# is a plain gradient step ($y_1 = 1.1\,y_0$, the buffer starts at the first gradient),
# which fixes $y_k = y_0\,(0.658 \cdot 1.316^k + 0.342 \cdot 0.684^k)$ and so 77 steps from
# $y_0 = 10^{-9}$, exactly the count measured.
#
# **Noise.** How much noise helps depends on its size against the distance to the manifold:
# the noise chosen here, of std $10^{-3}$ in the gradient, moves $y$ by about
# $\eta\cdot10^{-3} = 5\cdot10^{-5}$ per step, far more than $y_0 = 10^{-9}$, so the
# noisy runs escape about as if they had started at $y_0 \approx 5\cdot10^{-5}$
# ($\ln(1/(5\cdot10^{-5}))/\ln 1.1 \approx 104$ steps). This is a heuristic: the noise
# accumulates over the steps, so the effective start is somewhat larger than one step's
# push; the check above allows the median 25 % either way. Smaller noise would escape later.

# %% [markdown]
# ## G. L2 regularization and early stopping on the chapter's polynomial
#
# The chapter's section 6 fits a degree-12 polynomial to 20 noisy points of a cubic,
# once with an L2 penalty over a sweep of $\lambda$, once by gradient descent without
# penalty, stopped early. This section looks closer at the validation curve of each
# and compares the two regularizers. The set-up again:

# %%
curve = data.polynomial(n=40, degree=3, noise=0.2, seed=0)
train, val = data.train_val_split(curve, 0.5, seed=0)
degree = 12
X_train, X_val = poly_features(train.X[:, 0], degree), poly_features(val.X[:, 0], degree)
n_train = len(train.y)


def mse(w, X, y):
    return 0.5 * float(np.mean((X @ w - y) ** 2))


def ridge_solution(lam):
    """The minimizer of the L2-regularized loss: (X^T X / n + lam I') w = X^T y / n (intercept not penalized)."""
    penalty = lam * np.diag([0.0] + [1.0] * degree)
    return np.linalg.solve(X_train.T @ X_train / n_train + penalty, X_train.T @ train.y / n_train)



lams = np.logspace(-12, 1, 53)
val_err = np.array([mse(ridge_solution(lam), X_val, val.y) for lam in lams])
best = int(np.argmin(val_err))
lam_best = lams[best]
L_data = np.linalg.eigvalsh(X_train.T @ X_train / n_train).max()
history = troubles.fit_regularized(X_train, train.y, 0.0, lr=1 / L_data, epochs=20_000,
                                   X_val=X_val, y_val=val.y)
best_overall = int(np.argmin(history.val_loss))
print(f"best ridge lambda {lam_best:.0e}; lowest validation error of gradient descent at epoch {best_overall}")
assert best_overall == 2243 and np.isclose(lam_best, 1e-3)

# %% [markdown]
# **The L2 penalty over a sweep of $\lambda$.** **L2 regularization** (ridge; "weight decay" for plain gradient descent, where
# the penalty's gradient shrinks every penalized weight by the factor $1 - \eta\lambda$ per
# step; with Adam the two differ, which is why AdamW exists, chapter 06) adds $\tfrac\lambda2 \sum_{j\ge1} w_j^2$ to
# the loss, which pulls the coefficients toward zero (the intercept $w_0$ is not
# penalized). Its minimizer solves a linear system, which makes a sweep over
# $\lambda$ cheap (gradient descent on `troubles.regularized_loss` reaches the same
# point, as checked below):

# %%
lams = np.logspace(-12, 1, 53)
ridge = {lam: ridge_solution(lam) for lam in lams}
train_err = np.array([mse(ridge[lam], X_train, train.y) for lam in lams])
val_err = np.array([mse(ridge[lam], X_val, val.y) for lam in lams])
best = int(np.argmin(val_err))
lam_best = lams[best]
outside = val.X[:, 0] > train.X[:, 0].max()                    # validation points beyond the last training point
print(f"lambda = 1e-12: validation error {val_err[0]:.1f}; best lambda = {lam_best:.0e}: {val_err[best]:.3f}; "
      f"lambda = 10: {val_err[-1]:.3f}")
print(f"validation points beyond the last training point ({train.X[:, 0].max():.3f}):", val.X[outside, 0].round(3))

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
no_penalty = np.linalg.solve(X_train.T @ X_train, X_train.T @ train.y)     # lambda = 0: least squares
assert 0 < best < len(lams) - 1                                  # the optimum is in between
assert val_err[best] < 0.2 * min(val_err[0], val_err[-1])        # and much better than both ends
assert val_err[0] > 15 and abs(val_err[0] / mse(no_penalty, X_val, val.y) - 1) < 0.01      # lambda = 1e-12 ~ 0
assert np.all(np.diff(train_err) >= -1e-12)                      # training error only grows with lambda
assert abs(val_err[0] - 19) < 0.5 and np.isclose(lam_best, 1e-3)
assert np.allclose(val.X[outside, 0], [0.962, 0.994], atol=5e-4) and abs(train.X[:, 0].max() - 0.870) < 5e-4
assert val.X[:, 0].min() > train.X[:, 0].min()                   # no validation point below the training range

# %%
fig, (ax, ax_v) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
t = np.linspace(-1, 1, 300)
ax.plot(train.X[:, 0], train.y, "o", color="black", markersize=5, label="training")
ax.plot(val.X[:, 0], val.y, "s", color="black", markerfacecolor="white", markersize=5, label="validation")
for lam, color, ls in [(lams[0], COLORS["vermillion"], "-"), (lam_best, COLORS["blue"], "--"),
                       (lams[-1], COLORS["orange"], "-.")]:
    ax.plot(t, poly_features(t, degree) @ ridge[lam], color=color, linestyle=ls, label=f"$\\lambda$ = {lam:.0e}")
ax.set(ylim=(curve.y.min() - 0.6, curve.y.max() + 1.3), xlabel="$t$", ylabel="$y$",
       title=f"Degree-{degree} fits with L2 regularization")
ax.legend(fontsize=7, ncol=3, loc="upper right")   # right: clear of the wild fit at t = -0.85
t_out = val.X[outside, 0]
pred_out = poly_features(t_out, degree) @ ridge[lams[0]]        # the lambda = 1e-12 fit, off the frame there
for i, (t_o, y_o, p_o) in enumerate(zip(t_out, val.y[outside], pred_out)):
    ax.annotate(f"$\\lambda$ = 1e-12 predicts {p_o:.1f}", xy=(t_o, y_o), xytext=(0.36, 0.11 - 0.07 * i),
                textcoords="axes fraction", fontsize=7, color=COLORS["vermillion"],
                arrowprops=dict(arrowstyle="->", color=COLORS["vermillion"], linewidth=0.8))
# colours and markers of their own: the three fits on the left are other series
ax_v.loglog(lams, train_err, color="black", marker="o", markersize=3, label="training error")
ax_v.loglog(lams, val_err, color=COLORS["reddish_purple"], linestyle="--", marker="s", markersize=3,
            markerfacecolor="white", label="validation error")
ax_v.axvline(lam_best, color="0.5", linestyle=":", linewidth=1.2, label=f"best $\\lambda$ = {lam_best:.0e}")
ax_v.set(xlabel="$\\lambda$ (log scale)", ylabel="mean squared error / 2",
         title="Validation curve")
ax_v.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2);   # below: off the curves

# %% [markdown]
# With almost no penalty ($\lambda = 10^{-12}$, whose validation error is within 1 % of
# the least-squares fit's) the polynomial snakes through the training points. Its validation error is about 19.
# Most of that comes from two validation points, at $t = 0.962$ and $0.994$, beyond
# the last training point ($0.870$): there the wild polynomial is *extrapolating*,
# off the frame (the arrows give its predictions). The 18 points inside the training
# range show the same U shape (below). With a large penalty
# the polynomial is too stiff to follow the curve (underfitting). So the validation
# error is lowest in between, at $\lambda = 10^{-3}$, while the training error only grows
# with $\lambda$. That is the signature of
# overfitting in general: **training error falling while validation error rises**.
# Choose $\lambda$ on the validation set, never on the training set.


# %% [markdown]
# **The validation curve without the two outside points.** With almost no penalty
# ($\lambda = 10^{-12}$) the validation error is about 19, most of it from two validation
# points beyond the last training point, where the polynomial extrapolates. Leaving
# these two out, the 18 points inside the training range show the same U shape, from
# 0.28 down to 0.04 at the best $\lambda$, falling steadily up to $\lambda = 10^{-3}$ (the
# full validation curve has a bump near $\lambda = 10^{-7}$, again from the two outside
# points). And gradient descent on `troubles.regularized_loss` reaches the ridge
# solution, checked at the best $\lambda$:

# %%
inside = (val.X[:, 0] >= train.X[:, 0].min()) & (val.X[:, 0] <= train.X[:, 0].max())
val_inside = np.array([mse(ridge_solution(lam), X_val[inside], val.y[inside]) for lam in lams])
print(f"{inside.sum()} validation points inside the training range; their error: lambda = 1e-12 "
      f"{val_inside[0]:.3f}, best lambda {val_inside[best]:.3f}, lambda = 10 {val_inside[-1]:.3f}")
assert inside.sum() == 18 and abs(val_err[0] - 19) < 0.5
assert val_inside[best] < 0.2 * val_inside[0] and val_inside[best] < 0.5 * val_inside[-1]   # the U, inside too
assert np.all(np.diff(val_inside[lams <= 1e-3]) <= 1e-12)      # inside the range: falls steadily up to 1e-3
assert abs(val_inside[0] - 0.28) < 0.005 and 0.035 < val_inside[best] < 0.045
bump = (lams > 1e-9) & (lams < 1e-5)
assert np.any(np.diff(val_err[lams < 1e-5])[bump[lams < 1e-5][1:]] > 0)       # the full curve rises near 1e-7
L_ridge = L_data + lam_best
fit = troubles.fit_regularized(X_train, train.y, lam_best, lr=1 / L_ridge, epochs=20_000)
assert np.allclose(fit.ws[-1], ridge_solution(lam_best), atol=1e-4)
print("gradient descent reaches the same coefficients")

# %% [markdown]
# **The shape of the validation curve.** It dips at epoch 331, rises a little (about
# 1 %, up to near epoch 740), reaches its lowest value at epoch 2,243 and then climbs,
# to a peak of 1.8 times that near epoch 15,400, and eases slightly by epoch 20,000:

# %%
val_peak = int(np.argmax(history.val_loss[best_overall:])) + best_overall
print(f"validation peak after the best epoch: epoch {val_peak}, "
      f"{history.val_loss[val_peak] / history.val_loss[best_overall]:.2f} times the best")
assert 15_000 < val_peak < 15_800 and 1.75 < history.val_loss[val_peak] / history.val_loss[best_overall] < 1.8
assert history.val_loss[-1] < history.val_loss[val_peak]                    # and eases by epoch 20,000
bump_top = int(np.argmax(history.val_loss[331:best_overall])) + 331
bump = history.val_loss[bump_top] / history.val_loss[331]
print(f"the bump after epoch 331: up to epoch {bump_top}, {bump - 1:.1%} above epoch 331")
assert 1.005 < bump < 1.02 and 600 < bump_top < 900                          # a rise of about 1 %
assert history.val_loss[331] < 1.05 * history.val_loss[best_overall]          # epoch 331: within 5 % of the best

# %% [markdown]
# **Early stopping acts roughly like an L2 penalty.** Stopping gradient descent after
# $k$ steps of rate $\eta$, started at $w = 0$ as `fit_regularized` does, acts roughly like
# an L2 penalty $\lambda \approx 1/(\eta k)$: it leaves the coefficients along directions of
# curvature well below $1/(\eta k)$ almost unfitted, near their start 0, as a penalty of
# that size shrinks them almost to 0 (Goodfellow, Bengio & Courville 2016, section 7.8).
# Here $\eta = 1/L$ with $L = 1.50$ and $k = 2{,}243$ give $1/(\eta k) = 6.7\cdot10^{-4}$,
# two thirds of the best $\lambda$ of the sweep, $10^{-3}$. The best early-stopped
# validation error, 0.0367, is within 5 % of the best ridge value, 0.037, and ridge at
# $\lambda = 6.7\cdot10^{-4}$ has validation error 0.0371. How close the two regularizers
# come is this draw's result: the correspondence is only approximate, and on another
# draw of the data it can be looser.

# %%
print(f"best early-stopped validation error {history.val_loss[best_overall]:.4f}, "
      f"best ridge validation error {val_err[best]:.4f}")
assert abs(history.val_loss[best_overall] / val_err[best] - 1) < 0.05          # the two regularizers agree
assert abs(history.val_loss[best_overall] - 0.0367) < 0.0005 and abs(val_err[best] - 0.037) < 0.0005
lam_equiv = L_data / best_overall                                   # 1 / (eta k) with eta = 1 / L
val_equiv = mse(ridge_solution(lam_equiv), X_val, val.y)
print(f"L = {L_data:.2f}, k = {best_overall}: 1/(eta k) = {lam_equiv:.1e} (best ridge lambda {lam_best:.0e}); "
      f"ridge at 1/(eta k): validation error {val_equiv:.4f}")
assert abs(L_data - 1.50) < 0.005 and abs(lam_equiv / 6.7e-4 - 1) < 0.01
assert 1 < lam_best / lam_equiv < 2 and abs(val_equiv / history.val_loss[best_overall] - 1) < 0.1
assert abs(val_equiv - 0.0371) < 0.0005


# %% [markdown]
# ## H. L1 regularization: subgradient and proximal steps
#
# The chapter's section 6 fits a degree-12 polynomial to 20 noisy points of a cubic
# (the set-up is repeated in the code below). **L1 regularization** (lasso) adds $\lambda\sum_{j\ge1}|w_j|$ instead. Its
# gradient is not defined at 0; a *subgradient* step ($\lambda\,\mathrm{sign}(w_j)$)
# moves every nonzero coefficient by the full $\eta\lambda$ toward 0, so one closer
# to 0 than that steps across it: small coefficients end small but almost never
# exactly zero. The **proximal** step does better:
# a gradient step on the squared error, then shrink every coefficient toward 0 by
# $\eta\lambda$ and stop at 0 (`troubles.soft_threshold`). It sets coefficients
# exactly to zero: a sparse model.

# %%
curve = data.polynomial(n=40, degree=3, noise=0.2, seed=0)
train, val = data.train_val_split(curve, 0.5, seed=0)
degree = 12
X_train, X_val = poly_features(train.X[:, 0], degree), poly_features(val.X[:, 0], degree)
n_train = len(train.y)


def mse(w, X, y):
    return 0.5 * float(np.mean((X @ w - y) ** 2))


def ridge_solution(lam):
    """The minimizer of the L2-regularized loss: (X^T X / n + lam I') w = X^T y / n (intercept not penalized)."""
    penalty = lam * np.diag([0.0] + [1.0] * degree)
    return np.linalg.solve(X_train.T @ X_train / n_train + penalty, X_train.T @ train.y / n_train)



L_data = np.linalg.eigvalsh(X_train.T @ X_train / n_train).max()
zeros, w_l1 = {}, {}
for lam in [1e-4, 1e-3, 1e-2, 1e-1]:
    w = w_l1[lam] = troubles.fit_regularized(X_train, train.y, lam, penalty="l1", method="proximal",
                                 lr=1 / L_data, epochs=5000).ws[-1]
    zeros[lam] = int(np.sum(w[1:] == 0.0))
    print(f"lambda = {lam:.0e}: {zeros[lam]} of {degree} coefficients exactly zero, validation error {mse(w, X_val, val.y):.3f}")
w_sub = troubles.fit_regularized(X_train, train.y, 1e-2, penalty="l1", method="gradient",
                                 lr=1 / L_data, epochs=5000).ws[-1]
print(f"subgradient steps, lambda = 1e-2: {int(np.sum(w_sub[1:] == 0.0))} exact zeros, "
      f"smallest |w_j| = {np.abs(w_sub[1:]).min():.1e}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert list(zeros.values()) == sorted(zeros.values()) and zeros[1e-1] >= 6 > zeros[1e-4]
assert np.sum(w_sub[1:] == 0.0) == 0
assert list(zeros.values()) == [2, 6, 9, 11] and 5.0e-4 < np.abs(w_sub[1:]).min() < 5.4e-4

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 3.8))
j = np.arange(1, degree + 1)
floor = 1e-6                                         # exact zeros cannot go on a log axis: drawn at the floor
prox = np.abs(w_l1[1e-2][1:])
ax.semilogy(j - 0.12, np.where(prox == 0, floor, prox), "o", color=COLORS["blue"], markersize=7,
            label="proximal steps ($\\times$ at the floor: exactly 0)")
ax.semilogy(j[prox == 0] - 0.12, np.full((prox == 0).sum(), floor), "x", color="black", markersize=9)
ax.semilogy(j + 0.12, np.abs(w_sub[1:]), "s", color=COLORS["vermillion"], markerfacecolor="white", markersize=7,
            label="subgradient steps (none exactly 0)")
ax.axhline(floor, color="0.6", linewidth=0.8, linestyle=":")
ax.set(xticks=j, ylim=(floor / 3, None), xlabel="coefficient $j$ (of $t^j$)", ylabel="$|w_j|$ (log scale)",
       title="L1 penalty, $\\lambda$ = 1e-2, 5,000 steps: which coefficients are zero?")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2);

# %% [markdown]
# At $\lambda = 10^{-2}$ the proximal steps leave 3 of the 12 coefficients and set the
# other 9 exactly to zero (the crosses); the subgradient steps, at the same $\lambda$
# and step size, leave all 12 nonzero, the smallest at $5.2\cdot10^{-4}$. Larger
# $\lambda$, sparser model: 2, 6, 9 and 11 zeros from $\lambda = 10^{-4}$ to $10^{-1}$.


# %% [markdown]
# ## I. The sigmoid's all-zero start
#
# The chapter's section 7 shows that an all-zero start leaves every weight gradient of
# a tanh chain exactly zero, because $\tanh(0) = 0$. The sigmoid is different: with
# $\sigma(0) = 1/2$ the hidden activations are $1/2$, not 0, so the last layer's weights
# get a gradient at once and the others through them. It trains (the loss falls from
# 2.22 to 1.77 in 300 steps below), but, like any symmetric start, every hidden layer
# stays as good as one unit wide (the output units differ, each with its own target):

# %%
def train_chain(params, steps=300, lr=0.1, activation="tanh"):
    opt = sgd(lr=lr)
    state = opt.init(params)
    for _ in range(steps):
        updates, state = opt.update(troubles.chain_backprop(params, X4, Y4, activation), state, params)
        params = apply_updates(params, updates)
    return params


zero_init = troubles.init_chain(depth=3, width=4, init="constant", scale=0.0)
sig_zero = train_chain(zero_init, activation="sigmoid")          # all-zero start, sigmoid: sigma(0) = 1/2
loss_sig_start, loss_sig_end = (troubles.chain_loss(p, X4, Y4, "sigmoid") for p in (zero_init, sig_zero))
print(f"sigmoid from all zeros: |W1| = {np.linalg.norm(sig_zero['W1']):.3f}, |W3| = {np.linalg.norm(sig_zero['W3']):.2f}, "
      f"loss {loss_sig_start:.2f} -> {loss_sig_end:.2f}, largest difference between units of layer 2 "
      f"{np.ptp(sig_zero['W2'], axis=1).max():.0e}")
assert np.linalg.norm(sig_zero["W1"]) > 1e-3 and np.linalg.norm(sig_zero["W3"]) > 0.1     # the weights move
assert loss_sig_end < 0.9 * loss_sig_start and np.ptp(sig_zero["W2"], axis=1).max() < 1e-12  # but symmetrically
assert np.ptp(sig_zero["W1"], axis=1).max() < 1e-12 and np.ptp(sig_zero["W3"], axis=1).max() > 0.1  # hidden only
assert abs(loss_sig_start - 2.22) < 0.005 and abs(loss_sig_end - 1.77) < 0.005


# %% [markdown]
# ## J. The scale of the initial weights: the variance argument
#
# The chapter's section 7 shows that the scale of random initial weights decides whether
# the signal and the gradient keep their size through 30 layers. The argument behind the
# standard scales: a unit
# of a layer with $n_{\text{in}}$ inputs computes $z = \sum_{j=1}^{n_{\text{in}}} a_j w_j$. With
# weights of mean 0 and variance $v$, independent of each other and of the inputs,
# every term has mean 0 and variance $\mathbb E[a_j^2]\,\mathbb E[w_j^2] = v\,\mathbb E[a^2]$, so
# $\mathrm{Var}(z) = n_{\text{in}}\, v\, \mathbb E[a^2]$: the forward signal keeps its
# size (its second moment) if $n_{\text{in}} v = 1$. The second moment $\mathbb E[a^2]$ is $\mathrm{Var}(a)$
# only for inputs of mean 0, as tanh's are near 0; ReLU's and the sigmoid's are not. The gradient goes down through $W^\top$: the error
# reaching input $j$ is $\delta^{\text{in}}_j = \phi'(z_j) \sum_{k=1}^{n_{\text{out}}} w_{jk}\, \delta_k$, so with
# slope $\phi' \approx 1$, $\mathrm{Var}(\delta^{\text{in}}) = n_{\text{out}}\, v\, \mathrm{Var}(\delta)$, and the
# backward signal keeps its size if $n_{\text{out}} v = 1$. Glorot & Bengio (2010) take
# the compromise $v = 2/(n_{\text{in}} + n_{\text{out}})$ ("Xavier"), derived for
# activations with slope 1 at 0 such as tanh; $v = 1/n_{\text{in}}$ alone is LeCun's
# choice (LeCun et al. 1998). For the square layers of our chain,
# $n_{\text{in}} = n_{\text{out}} = \text{width}$, both are $1/\text{width}$, which is what
# `init_chain(init="xavier")` uses (chapter 09 uses the general form). ReLU zeroes
# the negative half of pre-activations symmetric about 0 and so gives
# $\mathbb E[a^2] = \tfrac12 \mathrm{Var}(z)$; He et al. (2015)
# double the variance to $2/n_{\text{in}}$ to make up for it.


# %% [markdown]
# ## K. The loss-curve gallery: the longer diagnoses and their checks
#
# The chapter's section 8 shows six runs and gives a short diagnosis of each. Here are
# the longer versions, with every check. The six runs again, computed as in the chapter:

# %%
degree = 12                                             # section 6's polynomial degree (run D)


def regression(dataset):
    """Loss, gradient, largest curvature L and minimum f* of least squares on a data set."""
    f = lambda w: models.mse_loss(w, dataset.X, dataset.y)
    g = lambda w: models.mse_grad(w, dataset.X, dataset.y)
    H = dataset.X.T @ dataset.X / len(dataset.y)
    w_opt = np.linalg.solve(H, dataset.X.T @ dataset.y / len(dataset.y))
    return f, g, np.linalg.eigvalsh(H).max(), f(w_opt)


line = data.linear(n=200, seed=3, noise=0.5)
f_line, g_line, L_line, f_star = regression(line)
scaled = data.linear_features(n=200, scales=(1.0, 10.0), seed=0, noise=0.1)
f_scaled, g_scaled, L_scaled, f_star_scaled = regression(scaled)
w0 = np.zeros(2)


def sign_bug_run(lr, steps):
    """Gradient *ascent* by mistake: w + lr * g."""
    w, fs = w0.copy(), [f_line(w0)]
    for _ in range(steps):
        w = w + lr * g_line(w)
        fs.append(f_line(w))
    return np.array(fs)


def minibatch_run(lr, batch_size, epochs, seed=0):
    """Constant-rate mini-batch SGD; the full loss after every step."""
    rng_sgd = np.random.default_rng(seed)
    w, fs = w0.copy(), [f_line(w0)]
    for _ in range(epochs):
        for idx in models.minibatches(len(line.y), batch_size, rng=rng_sgd):
            w = w - lr * models.mse_grad(w, line.X[idx], line.y[idx])
            fs.append(f_line(w))
    return np.array(fs)


fresh_rng = np.random.default_rng(12345)                # 20,000 fresh points: the *real* error of a fit
fresh_u, fresh_noise = fresh_rng.uniform(0, 1, 20_000), 0.2 * fresh_rng.standard_normal(20_000)


def overfit_run(seed):
    """Section 6's set-up on a fresh draw: degree-12 fit of 20 noisy points of a cubic, 5,000 steps at 1/L.

    Returns the history, the error on 20,000 fresh points (drawn over the training range,
    same curve and noise) after every step, the split, and the true cubic's training and
    validation losses.
    """
    curve = data.polynomial(n=40, degree=3, noise=0.2, seed=seed)
    train, val = data.train_val_split(curve, 0.5, seed=seed)
    X_tr, X_va = poly_features(train.X[:, 0], degree), poly_features(val.X[:, 0], degree)
    L = np.linalg.eigvalsh(X_tr.T @ X_tr / len(train.y)).max()
    hist = troubles.fit_regularized(X_tr, train.y, 0.0, lr=1 / L, epochs=5000, X_val=X_va, y_val=val.y)
    t = train.X[:, 0].min() + np.ptp(train.X[:, 0]) * fresh_u
    y = poly_features(t, 3) @ curve.w_true + fresh_noise
    X_f = poly_features(t, degree)
    A, b = X_f.T @ X_f / len(t), X_f.T @ y / len(t)          # mean of (X_f w - y)^2 / 2 as a quadratic form in w
    fresh = 0.5 * (np.einsum("ij,jk,ik->i", hist.ws, A, hist.ws) - 2 * hist.ws @ b + y @ y / len(t))
    true_train, true_val = (models.mse_loss(curve.w_true, poly_features(d.X[:, 0], 3), d.y) for d in (train, val))
    return hist, fresh, train, val, true_train, true_val


history_d, fresh_d, train_d, val_d, true_train_d, true_val_d = overfit_run(seed=11)   # run D: not section 6's draw
gallery = {
    "A": run(sgd(lr=2.05 / L_scaled), (f_scaled, g_scaled), [0.0, 0.101], steps=150, tol=0, bound=1e6).fs,
    "B": run(sgd(lr=0.002 / L_line), (f_line, g_line), w0, steps=200, tol=0).fs,
    "C": minibatch_run(lr=0.5 / L_line, batch_size=2, epochs=2),
    "D": (history_d.train_loss, history_d.val_loss, fresh_d),
    "E": sign_bug_run(lr=0.1 / L_line, steps=60),
    "F": run(sgd(lr=0.3 / L_line), (f_line, g_line), w0, steps=45, tol=0).fs - f_star,
}

# %% [markdown]
# - **A — learning rate too high.** The rate $2.05/L$ is just above the
#   stability limit $2/L$ of the steep direction (chapter 02): along it the error
#   grows by $|1 - 2.05| = 1.05$ per step, slowly at first, while the flat direction
#   still converges and hides it. The fall first is due to the start, $(0, 0.101)$,
#   whose second coordinate is already the minimizer's, $w^*_2 = 0.101$: the error
#   along the steep direction starts at 0.005, against 0.106 from $(0, 0)$, from
#   where the same rate raises the loss from step 0. The deeper
#   cause is the features' scales 1 and 10: curvatures 0.97 and 101.45, so any
#   stable rate is slow along the flat direction. Standardizing the features
#   usually means centering each column and dividing it by its standard deviation. This model
#   has no intercept to absorb a shift, and its column means, $-0.10$ and $0.25$, are
#   small against the standard deviations, $0.98$ and $10.1$, so dividing alone does
#   it (each divided column's mean square is $1 + (\text{mean}/\text{std})^2 \approx 1.01$, within 0.011 of 1,
#   against 1 if centered): it brings the curvatures to
#   0.95 and 1.06, and the rate $1/L$ then reaches a gradient norm of $10^{-8}$ in
#   8 steps.
# - **C — noisy SGD plateau.** The same shape (a fast fall, then a jagged plateau well
#   above the minimum) appears with 20 other shuffling seeds.
# - **D — mild overfitting, exaggerated by a small validation set.** The numbers:
#   - on the 20 validation points: lowest at step 4 (0.0088, even below the true
#     cubic's 0.0153: luck), 2.55 times that at step 5,000;
#   - on the 20,000 fresh points: lowest at step 11 (0.0245), 12 % higher at step
#     5,000 (0.0273); at step 4 it is 0.0275, no better than at the end;
#   - over 14 draws (seeds 0–13): the fresh error ends 0 to 52 % above its lowest,
#     the 20-point error from not at all to 11 times, and the two do not track each
#     other (seed 13: under 10 % on 20 points, 52 % on fresh data).
# - **E — a bug: the sign of the step.** The loss curve alone does **not** tell this
#   from a rate that is too high: on run E's own data, correct gradient descent at
#   $2.5/L$ also rises from the very first step (run A falls first only because of its
#   start and its ill-conditioned data). Reliable tells:
#   - the **iterate**. Write $v$ for the steep direction (the Hessian's top
#     eigenvector) and $w^*$ for the minimizer. A rate above $2/L$ multiplies the
#     error along $v$ by $1 - \eta L < -1$: $(w_k - w^*)\cdot v$ **flips sign at every
#     step** while it grows (the iterate jumps across the valley). Gradient ascent
#     multiplies every component by $1 + \eta\lambda > 1$: each **keeps its sign** and
#     grows (the iterate walks straight away from the minimum);
#   - the same, without $w^*$ or $v$: the dot product of **successive steps**,
#     $(w_{k+1} - w_k)\cdot(w_k - w_{k-1})$, is negative at every step of the too-high
#     rate here (the iterate goes back and forth) and positive at every step of the
#     sign bug (it goes straight on);
#   - a **tiny step**: one step at a tiny rate must lower the loss; with the sign
#     bug it raises it.
# - **F — nothing wrong.** After 45 steps the loss is $3.3\times10^{-14}$ above its
#   minimum, not yet at round-off.
#
# All of it checked:

# %%
A, B, C, (D_train, D_val, D_fresh), E, F = gallery.values()
turn = int(np.argmin(A))
assert 10 < turn < 100 and A[turn] < 0.5 * A[0] and A[-1] > 100 * A[0]              # A: falls, then explodes
assert B[-1] - f_star > 0.3 * (B[0] - f_star) and np.all(np.diff(B) < 0)             # B: still far away
for C_seed in [C] + [minibatch_run(lr=0.5 / L_line, batch_size=2, epochs=2, seed=s) for s in range(1, 21)]:
    plateau = C_seed[len(C_seed) // 2:]                                              # C, second half, 21 seeds:
    assert plateau.mean() > 1.2 * f_star and plateau.std() > 0.1 * f_star            #   noisy, well above f*
    assert np.mean(plateau > f_star * (1 + 1e-3)) > 0.9 and plateau.mean() < 0.2 * C_seed[0]   # after a fast fall
assert np.argmin(D_val) < len(D_val) // 2 and D_val[-1] > 1.5 * D_val.min()          # D: validation turns up
assert D_train[-1] < D_train[np.argmin(D_val)]                                       #    training does not
assert np.all(np.diff(E) > 0)                                                        # E: rises from step 1
A_trace = run(sgd(lr=2.05 / L_scaled), (f_scaled, g_scaled), [0.0, 0.101], steps=150, tol=0, bound=1e6)
steep = np.linalg.eigh(scaled.X.T @ scaled.X / len(scaled.y))[1][:, -1]          # the steep direction
w_opt_A = np.linalg.lstsq(scaled.X, scaled.y, rcond=None)[0]
along = (A_trace.xs - w_opt_A) @ steep
assert np.all(np.sign(along[-20:-1]) != np.sign(along[-19:])) and abs(along[-1]) > abs(along[-3])  # A: flips, grows
assert abs(w_opt_A[1] - 0.101) < 0.001 and abs(along[0]) < 0.01               # A starts on w*_2: tiny steep error
A_origin = run(sgd(lr=2.05 / L_scaled), (f_scaled, g_scaled), [0.0, 0.0], steps=150, tol=0, bound=1e6)
along_origin = (A_origin.xs[0] - w_opt_A) @ steep
assert 0.1 < abs(along_origin) < 0.11 and A_origin.fs[1] > A_origin.fs[0] and np.argmin(A_origin.fs) == 0
print(f"run A: w* = {w_opt_A.round(4)}; error along the steep direction at the start {along[0]:+.4f} "
      f"(from (0, 0): {along_origin:+.4f}, where the loss rises from step 0)")
assert np.all(F > 0) and F[-1] < 1e-12 * F[0] and np.all(np.diff(F) < 0)          # F: converged
assert 2.5e-14 < F[-1] < 4e-14                                                      #    3.3e-14, not yet round-off
print(f"run F: loss - minimum after 45 steps = {F[-1]:.1e}")

# E versus a too-high rate on E's own data: the loss curves alike, the iterates not
H_line = line.X.T @ line.X / len(line.y)
w_opt_line = np.linalg.solve(H_line, line.X.T @ line.y / len(line.y))
steep_line = np.linalg.eigh(H_line)[1][:, -1]
too_fast = run(sgd(lr=2.5 / L_line), (f_line, g_line), w0, steps=60, tol=0, bound=1e6)
assert np.all(np.diff(too_fast.fs) > 0)                                             # rises from step 1, like E
w_E = w0.copy(); E_xs = [w0]
for _ in range(60):
    w_E = w_E + 0.1 / L_line * g_line(w_E); E_xs.append(w_E)
along_fast = (too_fast.xs - w_opt_line) @ steep_line
along_E = (np.array(E_xs) - w_opt_line) @ steep_line
assert np.all(np.sign(along_fast[1:]) == -np.sign(along_fast[:-1]))                # too high: flips every step
assert np.all(np.sign(along_E) == np.sign(along_E[0]))                              # sign bug: never flips
assert np.all(np.diff(np.abs(along_E)) > 0)                                         #   and grows
tiny = 1e-3 / L_line
assert f_line(w0 - tiny * g_line(w0)) < f_line(w0) < f_line(w0 + tiny * g_line(w0))  # the tiny-step test
print("sign of (w_k - w*) . v, first 6 steps: rate 2.5/L", np.sign(along_fast[:6]).astype(int),
      "; sign bug", np.sign(along_E[:6]).astype(int))
step_fast, step_E = np.diff(too_fast.xs, axis=0), np.diff(np.array(E_xs), axis=0)
turn_fast = np.sum(step_fast[1:] * step_fast[:-1], axis=1)          # (w_k+1 - w_k) . (w_k - w_k-1): needs no w*
turn_E = np.sum(step_E[1:] * step_E[:-1], axis=1)
print("sign of successive steps' dot product, first 6: rate 2.5/L", np.sign(turn_fast[:6]).astype(int),
      "; sign bug", np.sign(turn_E[:6]).astype(int))
assert np.all(turn_fast < 0) and np.all(turn_E > 0)                 # back and forth / straight on

# the cure for A: standardized features
std = scaled.X.std(axis=0)
X_std = scaled.X / std
H_std = X_std.T @ X_std / len(scaled.y)
eig_std = np.linalg.eigvalsh(H_std)
f_std = lambda w: models.mse_loss(w, X_std, scaled.y)
g_std = lambda w: models.mse_grad(w, X_std, scaled.y)
print(f"feature means {scaled.X.mean(axis=0).round(3)}, standard deviations {std.round(2)}; "
      f"mean squares after dividing {np.mean(X_std**2, axis=0).round(4)}")
assert np.allclose(scaled.X.mean(axis=0), [-0.10, 0.25], atol=0.005) and np.allclose(std, [0.98, 10.07], atol=0.01)
assert np.all(np.abs(np.mean(X_std**2, axis=0) - 1) <= 0.011)                 # as good as centered, to 1 %
cured = run(sgd(lr=1 / eig_std.max()), (f_std, g_std), [0.0, 0.101 * std[1]], steps=150, tol=1e-8)
print(f"curvatures {np.linalg.eigvalsh(scaled.X.T @ scaled.X / len(scaled.y)).round(2)} -> "
      f"{eig_std.round(3)} after standardizing; gradient descent at 1/L converges in {cured.steps} steps")
print("gradient norms of the cured run, last three steps:", cured.grad_norms[-3:])
assert np.allclose(eig_std, [0.95, 1.06], atol=0.005) and cured.status == "converged" and cured.steps == 8
assert np.allclose(np.linalg.eigvalsh(scaled.X.T @ scaled.X / len(scaled.y)), [0.97, 101.45], atol=0.006)
d_best = int(np.argmin(history_d.val_loss))                       # D: training falls, validation turns up
assert np.all(np.diff(history_d.train_loss) <= 1e-15) and d_best == 4
d_val_rise = history_d.val_loss[-1] / history_d.val_loss[d_best]
assert 2.5 < d_val_rise < 2.6                                                        # 2.55 times on 20 points
assert abs(fresh_d[d_best] - 0.0275) < 0.001 and abs(fresh_d[-1] - 0.0273) < 0.001   # step 4: no better than the end
d_fresh_best = int(np.argmin(fresh_d))                            # fresh data: lowest later, then a mild rise
assert 8 <= d_fresh_best <= 15 and abs(fresh_d[d_fresh_best] - 0.0245) < 0.001
assert 1.08 < fresh_d[-1] / fresh_d[d_fresh_best] < 1.16                              # x1.12 (20 points: x2.55)
assert abs(history_d.val_loss[d_best] - 0.0088) < 3e-4 and history_d.val_loss[d_best] < 0.7 * true_val_d and abs(true_val_d - 0.0153) < 5e-4   # step 4 beats the truth
assert 0.0205 < history_d.train_loss[d_best] < 0.0225 and abs(true_train_d - 0.0169) < 5e-4  # 0.022 > the cubic's 0.017
assert train_d.X[:, 0].min() < val_d.X[:, 0].min() and val_d.X[:, 0].max() < train_d.X[:, 0].max()  # no extrapolation
print(f"D: validation loss (20 points) lowest at step {d_best} ({history_d.val_loss[d_best]:.4f}; the true cubic: "
      f"{true_val_d:.4f}), {d_val_rise:.2f} times that at step 5,000; error on 20,000 fresh points "
      f"{fresh_d[d_best]:.4f} -> {fresh_d[-1]:.4f}, lowest at step {d_fresh_best} ({fresh_d[d_fresh_best]:.4f}, "
      f"x{fresh_d[-1] / fresh_d[d_fresh_best]:.2f} at the end); training loss at step {d_best} {history_d.train_loss[d_best]:.4f}, "
      f"the true cubic's {true_train_d:.4f}")

# how far to trust a 20-point validation curve: the same set-up on 14 draws
val_rises, fresh_rises = [], []
for seed in range(14):
    hist, fresh, *_ = overfit_run(seed)
    val_rises.append(hist.val_loss[-1] / hist.val_loss.min())
    fresh_rises.append(fresh[-1] / fresh.min())
val_rises, fresh_rises = np.array(val_rises), np.array(fresh_rises)
print("seeds 0-13, validation (20 points) at step 5,000 / its lowest:", val_rises.round(2))
print("           fresh error (20,000 points) at step 5,000 / its lowest:", fresh_rises.round(2))
assert fresh_rises.min() < 1.01 and 1.45 < fresh_rises.max() < 1.6 and np.sum(fresh_rises > 1.3) == 5   # 0-52 %
assert val_rises.min() < 1.01 and val_rises.max() > 10                                            # none to 11x
assert val_rises[13] < 1.1 and fresh_rises[13] > 1.45                  # seed 13: 5 % on 20 points, 52 % fresh
print(f"A turns at step {turn}; every diagnosis checked")

