# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 07 — Troubleshooting
#
# Gradient descent fails in a small number of recognizable ways. The gradient can fade
# away before it reaches the first layers of a deep model, or blow up and throw the
# parameters off the map. The iterate can stall near a saddle point where the gradient
# is almost zero but nothing is a minimum. The loss can turn into `nan`. And a run can
# succeed on the training data while getting worse on data it has not seen.
#
# This chapter makes each problem happen on a model small enough to take apart, shows
# how to **diagnose** it from what a training run records (the loss curve, the gradient
# norms), and **fixes** it. Section 8 is a gallery of loss curves from real runs (for
# each one, what went wrong?), and section 9 lets you try gradient clipping yourself.
# Every number quoted in the text is computed and asserted by the notebook (in collapsed
# cells marked "Checks"); the derivations, longer checks and side measurements are in
# the companion [details notebook](07_troubleshooting_details.ipynb), which you do not
# need for the exercises.
#
# You need chapter 02 (the update rule, $2/L$, `run`), chapter 04 (mini-batches),
# chapter 05 sections 2 and 4 (the heavy ball and its recursion along one direction,
# used in section 4) and chapter 06 section 5 (AdamW's decoupled weight decay, mentioned
# in section 6). Sections 1 and 2 use the chain rule through a stack of layers
# (backpropagation); it is stated there in two lines, and chapter 09 derives it in full.
#
# ## What you will learn
#
# - why gradients **vanish** in a deep chain of sigmoid layers (each layer
#   multiplies the gradient by $w\,\sigma'$, with $\sigma' \le 1/4$), how to see it in the gradient
#   norm per layer, and why ReLU with He's initialization does not suffer from it;
# - **batch normalization**: how it rescues the deep sigmoid chain, and why it behaves
#   differently in training and evaluation (plus layer normalization, in one paragraph);
# - why gradients **explode** in a recurrence ($h_T$ contains $w^T$), and how **clipping** tames a
#   steep wall: by value (which in general turns the step) or by global norm (which keeps its direction);
# - how **saddle points** make a run linger on a plateau, and how long it lingers;
# - where `nan` and `inf` come from and how to find the first bad step;
# - **overfitting**, and three cures: L2, L1 and early stopping;
# - why an all-zero **initialization** cannot train when $\phi(0) = 0$ (tanh, ReLU), why any
#   symmetric one keeps the units of a hidden layer identical, and what the scale does;
# - to read loss curves: six runs, six diagnoses;
# - and you get a **clipping explorer**.

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

from gdlearn import calculus, data, models, normalization, plotting, style, troubles
from gdlearn.data import poly_features
from gdlearn.optim import apply_updates, chain, clip_by_global_norm, clip_by_value, sgd
from gdlearn.run import run
from gdlearn.surfaces import parabola, saddle

COLORS = style.PALETTE

# %% [markdown]
# ## 1. Vanishing gradients
#
# A deep network is a chain of layers, each a linear map followed by an activation function
# $\phi$: $z_l = a_{l-1} W_l + b_l$, $a_l = \phi(z_l)$. The chain rule runs the other way. The
# error at the output is carried down one layer at a time, and each layer multiplies it by its
# weights and by $\phi'(z_l)$. With $\delta_l = \partial \mathcal L / \partial z_l$, the error at layer $l$'s pre-activations:
#
# $$\delta_{l-1} = (\delta_l\, W_l^\top) \odot \phi'(z_{l-1}), \qquad
# \frac{\partial \mathcal L}{\partial W_l} = a_{l-1}^\top \delta_l .$$
#
# With one unit per layer this is a product of numbers,
# $\partial a_L / \partial a_0 = \prod_l w_l\, \phi'(z_l)$. The sigmoid's derivative
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ is at most $1/4$ (at $z = 0$), so with weights of
# size at most 1, every sigmoid layer shrinks the gradient at least four-fold. Through ten layers with
# $|w_l| \le 1$ that is a factor $4^{-10} \approx 10^{-6}$. The activations' derivatives:

# %%
z = np.linspace(-6, 6, 1201)
derivatives = {name: troubles.ACTIVATIONS[name][1](z) for name in ["sigmoid", "tanh", "relu"]}
assert np.isclose(derivatives["sigmoid"].max(), 0.25) and z[np.argmax(derivatives["sigmoid"])] == 0
assert np.isclose(derivatives["tanh"].max(), 1.0)
assert set(np.unique(derivatives["relu"])) == {0.0, 1.0}
assert 0.9e-6 < 4.0 ** -10 < 1e-6                                     # ten sigmoid layers: about 1e-6
print({name: float(d.max()) for name, d in derivatives.items()})

# %% [markdown]
# `gdlearn.troubles` holds such a chain: `init_chain(depth, width, init=...)` makes the weights (a
# dict `{"W1": ..., "b1": ..., ...}`, which every optimizer of `gdlearn.optim` accepts),
# `chain_backprop` computes the gradient of the mean squared error by the recursion above, and
# `layer_grad_norms` gives the norm of each layer's weight gradient. Hand-written backpropagation
# deserves a gradient check (chapter 01), here on a small chain:

# %%
rng = np.random.default_rng(0)
small = troubles.init_chain(depth=4, width=3, init="xavier", seed=1)
X_small, Y_small = rng.standard_normal((5, 3)), rng.uniform(0, 1, (5, 3))
backprop = troubles.chain_backprop(small, X_small, Y_small, "sigmoid")
for key in ["W1", "b2", "W4"]:
    def loss_of(flat, key=key):
        return troubles.chain_loss({**small, key: flat.reshape(small[key].shape)}, X_small, Y_small, "sigmoid")
    numeric = calculus.numerical_gradient(loss_of, small[key].ravel())
    assert np.allclose(backprop[key].ravel(), numeric, rtol=1e-6, atol=1e-10), key
print("backpropagation agrees with finite differences")

# %% [markdown]
# Now a chain of 30 layers of 16 units, on 64 random inputs. We compare tanh with Glorot/Xavier's
# weights $N(0, 1/\text{width})$ and ReLU with He's $N(0, 2/\text{width})$, each the scale made for
# that activation (section 7 explains them), with two sigmoid chains. The first gets tanh's scale,
# which is too small for the sigmoid: Glorot's derivation assumes an activation with slope 1 at 0,
# and $\sigma'(0) = 1/4$. The second gets weights four times larger, $N(0, 16/\text{width})$, which
# undoes that factor $1/4$ at 0.

# %%
depth, width = 30, 16
X_deep = rng.standard_normal((64, width))
designs = {"sigmoid, Xavier": ("sigmoid", "xavier", 1.0), "sigmoid, 4 x Xavier": ("sigmoid", "xavier", 4.0),
           "tanh, Xavier": ("tanh", "xavier", 1.0), "ReLU, He": ("relu", "he", 1.0)}
norms, chain_targets = {}, {}
for label, (activation, init, scale) in designs.items():
    params = troubles.init_chain(depth, width, init=init, scale=scale, seed=1)
    if label != "sigmoid, 4 x Xavier":                    # the two sigmoid chains share their targets
        targets = rng.uniform(0, 1, (64, width))
    chain_targets[label] = targets
    norms[label] = troubles.layer_grad_norms(troubles.chain_backprop(params, X_deep, targets, activation))
    print(f"{label:>20}: |dL/dW1| / |dL/dW30| = {norms[label][0] / norms[label][-1]:.1e}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 2.6e-19 < norms["sigmoid, Xavier"][0] / norms["sigmoid, Xavier"][-1] < 2.8e-19  # 2.7e-19, about 3e-19
assert 2e-8 < norms["sigmoid, 4 x Xavier"][0] / norms["sigmoid, 4 x Xavier"][-1] < 4e-8   # about 3e-8
assert 0.1 < norms["ReLU, He"][0] / norms["ReLU, He"][-1] < 10                  # the same order
assert 0.1 < norms["tanh, Xavier"][0] / norms["tanh, Xavier"][-1] < 10

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_d, ax_n) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1, 1.4])
for (name, d), color, ls in zip(derivatives.items(), [COLORS["vermillion"], COLORS["blue"], COLORS["bluish_green"]],
                                ["-", "--", ":"]):
    ax_d.plot(z, d, color=color, linestyle=ls, label=f"{name}$'$")
ax_d.axhline(0.25, color="black", linestyle=":", linewidth=0.8)
ax_d.text(-5.8, 0.28, "1/4", fontsize=8)
ax_d.set(xlabel="$z$", ylabel=r"$\phi'(z)$", title="Derivatives of the activations")
ax_d.legend(fontsize=8)
layers = np.arange(1, depth + 1)
for (label, n), color, marker in zip(norms.items(), [COLORS["vermillion"], COLORS["orange"], COLORS["blue"],
                                                    COLORS["bluish_green"]], ["o", "v", "s", "^"]):
    ax_n.semilogy(layers, n, marker=marker, linestyle="-", color=color, markersize=3, label=label)
ax_n.set(xlabel="layer $l$ (1 = next to the input)", ylabel=r"$\|\partial \mathcal{L} / \partial W_l\|$",
         title=f"Gradient norm per layer, {depth} layers at initialization")
ax_n.legend(fontsize=8);

# %% [markdown]
# In the sigmoid chain at tanh's scale the gradient of the first layer is about $3\cdot10^{-19}$
# times the last layer's. Most of that is the mismatched scale: with weights four times larger the
# ratio is about $3\cdot10^{-8}$. That is still (on this draw) eight orders of magnitude, where tanh
# and ReLU at their scales stay within a factor of 10. Roughly, each layer down multiplies the
# gradient by the weight scale times the average slope $\overline{\sigma'}$ at its pre-activations;
# section A of the [details notebook](07_troubleshooting_details.ipynb) measures both factors and
# recovers the two ratios within a factor of about 2. A step is the learning rate times the
# gradient, so at a learning rate that suits the last layers the first ones hardly move. Here is
# what that does to training. A sigmoid and a tanh chain (20 layers this time) learn to map 64
# random inputs to targets $Y = \sigma(XM)$ with 300 steps of gradient descent; the dict of weights
# is a `params` for `gdlearn.optim.sgd`. We record the loss, the gradient norm of every layer at
# every step, and at the end how far each layer's weights moved relative to their size:

# %%
M = rng.standard_normal((width, width)) / 4
X_train_chain = rng.standard_normal((64, width))
Y_train_chain = troubles.ACTIVATIONS["sigmoid"][0](X_train_chain @ M)
predict_the_mean = 0.5 * np.sum((Y_train_chain - Y_train_chain.mean(axis=0)) ** 2) / 64


def train_deep(activation, init="xavier", lr=0.1, steps=300, depth=20, batch_norm=False):
    # batch_norm=True: the normalized chain of section 2 (same weights W_l, same data)
    if batch_norm:
        params, loss, backprop = (normalization.init_bn_chain(depth, width, seed=1),
                                  normalization.bn_chain_loss, normalization.bn_chain_backprop)
    else:
        params, loss, backprop = troubles.init_chain(depth, width, init=init, seed=1), troubles.chain_loss, troubles.chain_backprop
    start_params, opt = params, sgd(lr=lr)
    state = opt.init(params)
    losses, grad_log = [loss(params, X_train_chain, Y_train_chain, activation)], []   # grad_log: every layer's
    for _ in range(steps):                                                          # gradient norm, every step
        grads = backprop(params, X_train_chain, Y_train_chain, activation)
        grad_log.append(troubles.layer_grad_norms(grads))
        updates, state = opt.update(grads, state, params)
        params = apply_updates(params, updates)
        losses.append(loss(params, X_train_chain, Y_train_chain, activation))
    moved = np.array([np.linalg.norm(params[f"W{l}"] - start_params[f"W{l}"]) / np.linalg.norm(start_params[f"W{l}"])
                      for l in range(1, depth + 1)])
    return np.array(losses), moved, np.array(grad_log), params


loss_sigmoid, moved_sigmoid, glog_sigmoid, params_sigmoid = train_deep("sigmoid", "xavier", lr=0.1)
loss_tanh, moved_tanh, glog_tanh, _ = train_deep("tanh", "xavier", lr=0.1)
print(f"sigmoid: final loss {loss_sigmoid[-1]:.6f}, loss of predicting the mean {predict_the_mean:.6f}")
print(f"weights moved: sigmoid layer 1 {moved_sigmoid[0]:.0e}, layer 20 {moved_sigmoid[-1]:.0%}; "
      f"tanh layer 1 {moved_tanh[0]:.0%}, layer 20 {moved_tanh[-1]:.0%}; tanh final loss {loss_tanh[-1]:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(loss_sigmoid[-1] / predict_the_mean - 1) < 1e-5          # stuck at the constant predictor
assert moved_sigmoid[0] < 1e-11 and moved_sigmoid[-1] > 0.2          # the first layer never moved
out_sigmoid = troubles.chain_forward(params_sigmoid, X_train_chain, "sigmoid")[1][-1]
mean_gap = np.abs(out_sigmoid - Y_train_chain.mean(axis=0)).max()   # the output: the average target, every sample
assert mean_gap < 2e-4
spread = {}                                     # at the start: how much each layer's output varies across samples
for activation in ["sigmoid", "tanh"]:
    acts = troubles.chain_forward(troubles.init_chain(20, width, init="xavier", seed=1), X_train_chain, activation)[1]
    spread[activation] = np.array([a.std(axis=0).mean() for a in acts[1:]])
    print(f"{activation}: spread across samples at layers 1, 10, 20: "
          + ", ".join(f"{spread[activation][l - 1]:.1e}" for l in [1, 10, 20]))
assert np.all(np.diff(spread["sigmoid"]) < 0) and spread["sigmoid"][-1] < 1e-10 * spread["sigmoid"][0]
assert 0.1 < spread["sigmoid"][0] < 0.3 and spread["sigmoid"][-1] < 1e-12            # about 2e-1 and 1e-13
assert 0.5 < spread["tanh"][0] < 0.7 and 0.1 < spread["tanh"][-1]                   # about 6e-1 and 1e-1
assert spread["tanh"][-1] > 0.1 * spread["tanh"][0]                  # tanh: the signal survives 20 layers
assert moved_tanh.min() > 0.02 and loss_tanh[-1] < 0.8 * predict_the_mean   # every tanh layer learns
rises_tanh = np.flatnonzero(np.diff(loss_tanh) > 0) + 1                  # tanh: a jump at steps 4-5, small rises
assert set(rises_tanh[:2]) == {4, 5} and rises_tanh.max() <= 80 and np.all(np.diff(loss_tanh)[5:] < 0.01)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_l, ax_m) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
ax_l.axhline(predict_the_mean, color="0.75", linewidth=6, label="predict the mean")   # wide, under the curves
ax_l.plot(loss_sigmoid, color=COLORS["vermillion"], marker="o", markevery=25, markersize=4, label="sigmoid, Xavier")
ax_l.plot(loss_tanh, color=COLORS["blue"], linestyle="--", label="tanh, Xavier")
ax_l.set(yscale="log", xlabel="step", ylabel="loss (log scale)", title="20 layers: training loss")
ax_l.legend(fontsize=8)
ax_m.semilogy(np.arange(1, 21), moved_sigmoid, "o-", markersize=3, color=COLORS["vermillion"], label="sigmoid, Xavier")
ax_m.semilogy(np.arange(1, 21), moved_tanh, "s--", markersize=3, color=COLORS["blue"], label="tanh, Xavier")
ax_m.set(xlabel="layer $l$", ylabel=r"$\|W_l - W_l^{(0)}\| / \|W_l^{(0)}\|$",
         title="How far each layer moved in 300 steps")
ax_m.legend(fontsize=8);

# %% [markdown]
# The sigmoid chain's loss falls at once, then flattens on a plateau at exactly the loss of a model
# that ignores its input and predicts the average target (the red curve lies on the grey band): the
# last layers learned that average (the output is within $2\cdot10^{-4}$ of the average target on
# every sample), and the first layers, which would have to learn everything else, moved by
# $10^{-12}$ of their size. The weight scale times the slope shrinks the signal on the way forward
# too: at the start, the spread of a sigmoid layer's outputs across the 64 samples falls from about
# $2\cdot10^{-1}$ at layer 1 to about $10^{-13}$ at layer 20 (tanh: from $6\cdot10^{-1}$ to
# $10^{-1}$), so the last layers see nearly the same input for every sample and can fit little but
# the mean. Vanishing gradients keep the first layers from fixing that. The tanh chain, whose
# activation has slope 1 around 0, starts further away and (in this run) jumps back up at steps 4–5,
# but goes well below that plateau, and all of its layers learn (each moved by more than 2 %). A
# loss curve stuck at a trivial baseline is the symptom; **the gradient norm per layer is the
# diagnosis**, and it is cheap to log in any training loop.
#
# The first three fixes keep the typical (root-mean-square) gain of a layer, weight scale
# times the average slope $\phi'(z_l)$, close to 1; the
# fourth adds a path around it:
#
# - **activations** whose derivative is 1 where they are active: ReLU and its
#   relatives (tanh's is 1 at 0 too);
# - **initialization** at the scale that keeps the signal's size from layer to layer (section 7):
#   the ReLU chain with He's weights passes the gradient down 30 layers within a factor of 10;
# - **normalization** layers, which keep each layer's pre-activations where $\phi'$ is
#   large whatever the weights have become during training (section 2);
# - **residual connections** $a_l = a_{l-1} + \phi(z_l)$, whose identity path adds the incoming
#   gradient unchanged to what comes through $\phi$ (beyond this course's chain).
#
# ## 2. Normalization layers
#
# The third fix in detail. A normalization layer rescales each layer's pre-activations to a chosen
# mean and spread, whatever the weights are, so the activation works where its slope is large. We
# rescue the 30-layer sigmoid chain with batch normalization, then look at layer normalization.
#
# ### Batch normalization
#
# Batch normalization (Ioffe & Szegedy 2015) standardizes each unit's
# pre-activation over the mini-batch of $n$ samples, then lets the layer choose
# the scale and shift it wants back, with two learned vectors $\gamma$, $\beta$:
#
# $$\mu = \frac1n \sum_{i=1}^n z_i, \quad \sigma^2 = \frac1n \sum_{i=1}^n (z_i - \mu)^2, \quad
# \hat z_i = \frac{z_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
# \mathrm{BN}(z)_i = \gamma \odot \hat z_i + \beta ,$$
#
# all per unit (column), with a small $\epsilon$ ($10^{-5}$ in torch). Each layer becomes
# $a_l = \phi(\mathrm{BN}(a_{l-1} W_l))$; the bias $b_l$ is dropped, since subtracting $\mu$ would
# cancel it, and $\beta$ takes its role. Unless the weights are so small that the batch variance
# is comparable to $\epsilon = 10^{-5}$, the sigmoid now
# sees inputs of mean $\beta$ and standard deviation (almost exactly) $|\gamma|$: at the start
# ($\gamma = 1$, $\beta = 0$) right where its slope is largest.
#
# The backward pass has a twist: $\mu$ and $\sigma^2$ depend on every sample of the batch, so the
# gradient with respect to one $z_i$ does too. `gdlearn.normalization` has the forward and backward
# passes (`batch_norm_forward`, `batch_norm_backward`) and the normalized chain (`init_bn_chain`,
# `bn_chain_backprop`); section B of the [details notebook](07_troubleshooting_details.ipynb)
# derives the backward pass and checks it against finite differences.
#
# Now the 30-layer sigmoid chain again, same weights (`init_bn_chain` draws the
# $W_l$ of `init_chain` with the same seed), with a normalization in every layer;
# and the 20-layer training run of above, same learning rate 0.1, same data:

# %%
norms_bn = {}
for label in ["sigmoid, Xavier", "sigmoid, 4 x Xavier"]:
    bn_chain = normalization.init_bn_chain(depth, width, init="xavier", scale=designs[label][2], seed=1)
    norms_bn[label] = troubles.layer_grad_norms(normalization.bn_chain_backprop(bn_chain, X_deep, chain_targets[label], "sigmoid"))
    print(f"{label} + batch norm: |dL/dW1| / |dL/dW30| = {norms_bn[label][0] / norms_bn[label][-1]:.2f}")


loss_bn, moved_bn, glog_bn, _ = train_deep("sigmoid", lr=0.1, batch_norm=True)
print(f"sigmoid + batch norm: final loss {loss_bn[-1]:.3f} (tanh {loss_tanh[-1]:.3f}, "
      f"predicting the mean {predict_the_mean:.3f}); layer 1 moved {moved_bn[0]:.0%}")
ratio_sig, ratio_bn = glog_sigmoid[:, 0] / glog_sigmoid[:, -1], glog_bn[:, 0] / glog_bn[:, -1]
print(f"during training, |dL/dW1| / |dL/dW20|: sigmoid {ratio_sig.min():.0e} to {ratio_sig.max():.0e}, "
      f"with batch norm {ratio_bn.min():.2f} to {ratio_bn.max():.2f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for label in norms_bn:
    assert 0.1 < norms_bn[label][0] / norms_bn[label][-1] < 10             # the same order, 30 layers down
bn_ratios = [norms_bn[label][0] / norms_bn[label][-1] for label in norms_bn]
assert abs(bn_ratios[0] / bn_ratios[1] - 1) < 0.02                          # equal: BN ignores the weights' scale
assert np.allclose(4 * norms_bn["sigmoid, 4 x Xavier"], norms_bn["sigmoid, Xavier"], rtol=0.02)   # gradient / c
assert loss_bn[-1] < 0.5 * predict_the_mean and loss_bn[-1] < loss_tanh[-1]
assert moved_bn.min() > 0.02                                                 # every layer learns
assert ratio_sig.max() < 1e-8 and 1 < ratio_bn.min() and ratio_bn.max() < 3     # at every one of the 300 steps
loss_bn_smooth = train_deep("sigmoid", lr=0.008, batch_norm=True)[0]      # the largest smooth rate (details D)
assert np.all(np.diff(loss_bn_smooth) < 0) and 0.24 < loss_bn_smooth[-1] < 0.25 and 0.06 < loss_bn[-1] < 0.07

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_l, ax_t) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
ax_l.axhline(predict_the_mean, color="0.75", linewidth=6, label="predict the mean")
ax_l.plot(loss_sigmoid, color=COLORS["vermillion"], marker="o", markevery=25, markersize=4, label="sigmoid")
ax_l.plot(loss_tanh, color=COLORS["blue"], linestyle="--", label="tanh")
ax_l.plot(loss_bn, color=COLORS["bluish_green"], linestyle="-.", marker="^", markevery=25, markersize=4,
          label="sigmoid + batch norm")
ax_l.set(yscale="log", xlabel="step", ylabel="loss (log scale)", title="20 layers, learning rate 0.1: training loss")
ax_l.legend(fontsize=8)
for glog, name, color, marker in [(glog_sigmoid, "sigmoid", COLORS["vermillion"], "o"),
                                  (glog_bn, "sigmoid + batch norm", COLORS["bluish_green"], "^")]:
    ax_t.semilogy(glog[:, -1], color=color, linestyle="-", marker=marker, markevery=30, markersize=4,
                  label=f"{name}, layer 20")
    ax_t.semilogy(glog[:, 0], color=color, linestyle=":", marker=marker, markevery=30, markersize=4,
                  markerfacecolor="white", label=f"{name}, layer 1")
ax_t.set(xlabel="step", ylabel=r"$\|\partial \mathcal{L} / \partial W_l\|$",
         title="Logged while training: layers 1 and 20")
ax_t.legend(fontsize=7);

# %% [markdown]
# With the normalization, in the 30-layer chain at the start, the first layer's gradient is within a
# factor of 10 of the last layer's, at either weight scale, and the ratio is the same for both: a
# normalized layer's output does not change when its weights are multiplied by a constant $c$ (up to
# $\epsilon$), while its $\sigma$ is $c$ times larger, so the backward pass's factor
# $1/\sqrt{\sigma^2 + \epsilon}$ divides every layer's gradient by $c$ (section B of the [details
# notebook](07_troubleshooting_details.ipynb)). And the 20-layer sigmoid chain trains (left): every
# layer moves, and the loss ends below tanh's. The right panel is the diagnosis recommended above,
# the gradient norm per layer logged at every step of training: without normalization layer 1's
# gradient stays (in this run) more than $10^8$ times smaller than layer 20's for all 300 steps;
# with it the two stay within a factor of 3 of each other. (Whether the original explanation, a
# reduced "internal covariate shift", is *why* batch normalization helps is disputed; a smoother
# loss surface is another account, Santurkar et al. 2018. What we measured here is simpler: the
# pre-activations are kept where $\sigma'$ is large.)
#
# The batch-norm loss curve is jagged, and that is not sampling noise: every step uses
# the same 64 samples. It is chapter 02's stability limit: section D of the [details
# notebook](07_troubleshooting_details.ipynb) measures the loss's sharpest curvature at the end of the run, above
# $2/\eta$, and scans smaller rates. A smooth curve costs training: at $\eta = 0.008$,
# whose loss falls at every step (at 0.009 it already rises at a few), the run ends
# at 0.244, almost four times the jagged run's 0.065 (predicting the mean: 0.333).

# %% [markdown]
# **Training and evaluation differ.** In training, a sample's output depends on the
# other samples of its batch, through $\mu$ and $\sigma^2$. At evaluation time one wants
# a function of the sample alone (and a batch of one has $\sigma^2 = 0$). So during
# training each layer also keeps **running statistics**, exponential averages of the
# batch means and variances, and evaluation normalizes with those (torch's
# `BatchNorm1d` does this; section C of the [details notebook](07_troubleshooting_details.ipynb) gives its exact update).
# In torch the switch is `model.train()` against `model.eval()`, and forgetting
# `model.eval()` before validation is a classic bug: the outputs then depend on the
# batch (section C measures by how much, on the chain trained here). Very small batches are another problem: their means and
# variances are noisy estimates to normalize with (Wu & He 2018 measure batch normalization's error rising as batches shrink, and blame these inaccurate statistics).
#
# **Layer normalization** (Ba, Kiros & Hinton 2016) computes the same $\mu$ and
# $\sigma^2$ over the *units of one sample* instead of over the batch
# (`normalization.layer_norm_forward`): no dependence on the batch, no running statistics, the same
# computation in training and evaluation. Ba, Kiros & Hinton proposed it for recurrent networks and
# for small batches (down to a single sample), where batch statistics are unavailable or differ from
# one time step to the next (their section 1); the transformer (Vaswani et al. 2017, section 3.1)
# uses it after every sub-layer.
#
# ## 3. Exploding gradients
#
# Recurrent networks apply the *same* weight at every time step. Take the simplest one, a single
# number carried along: $h_t = w\,h_{t-1} + x_t$. Without inputs, $h_T = w^T h_0$ and
#
# $$\frac{\partial h_T}{\partial w} = T\, w^{T-1} h_0 ,$$
#
# which **explodes** for $|w| > 1$ and **vanishes** for $|w| < 1$: the two problems
# are one mechanism. `troubles.recurrence_grad` computes the gradient of
# $\tfrac12(h_T - y)^2$ by backpropagation through time; with $y = 0$ it must equal
# $h_T\,\partial h_T/\partial w = T w^{2T-1} h_0^2$:

# %%
grad_100 = {w: troubles.recurrence_grad(w, 1.0, np.zeros(100), target=0.0)[1] for w in [0.9, 1.0, 1.1]}
print("T = 100: dL/dw =", {w: float(f"{g:.2g}") for w, g in grad_100.items()})
assert all(np.isclose(g, 100 * w ** 199, rtol=1e-12) for w, g in grad_100.items())     # T w^(2T - 1) h0^2
assert grad_100[1.1] > 1e10 and grad_100[0.9] < 1e-7
assert 1e17 < grad_100[1.1] / grad_100[0.9] < 1e18             # seventeen orders of magnitude

# %% [markdown]
# At $T = 100$ a weight of 1.1 gives a gradient above $10^{10}$, a weight of 0.9
# one below $10^{-7}$: seventeen orders of magnitude from $w = 0.9$ to $w = 1.1$.
#
# ### A wall in the landscape
#
# With a constant input $b$ the loss $f(w, b) = \tfrac12 (h_T - y)^2$ is a function
# of two parameters, `troubles.recurrence_surface(T=20, target=3)`, with
# $h_T = w^T h_0 + b\,(1 - w^T)/(1 - w)$ and $h_0 = 1$. For $|w|$ well below 1 the
# term $w^T$ is small ($0.5^{20} \approx 10^{-6}$, though already $0.9^{20} = 0.12$) and
# the loss is a gentle valley; as $w \to 1$ the coefficient of $b$ grows to $T = 20$,
# and for $|w| > 1$ the term $|w|^{20}$ explodes: the loss rises into a steep **wall**, as Pascanu, Mikolov and Bengio (2013) found in the
# loss landscapes of recurrent networks. Start at its foot, $(w, b) = (1.12, -0.6)$,
# with the learning rate 0.02:

# %%
wall = troubles.recurrence_surface(T=20, target=3.0)
start, lr = np.array(wall.start), 0.02
g0 = wall.grad(start)
print(f"loss {wall.f(start):.0f}, gradient {g0.round(0)}, norm {np.linalg.norm(g0):.3g}")
plain = run(sgd(lr=lr), wall, start, steps=200, tol=0)
print(plain.message)

# %% [markdown]
# One step: the gradient has norm $1.2\times10^4$, so the step is 246 long and
# lands where $|w|^{20}$ is astronomically large. The learning rate suits the flat
# part of the valley: at $w = 0$ the floor is $b = 3$ (above the frame of the figure
# below), where the loss's largest curvature is 10, so the stability limit
# $2/\lambda_{\max} = 0.2$ is ten times the rate (section E of the [details notebook](07_troubleshooting_details.ipynb)
# derives the curvature). The same rate is far too large for the wall the run starts on, and a
# learning rate small enough for the wall would crawl in the valley.
#
# **Clipping** bounds the step without changing the learning rate elsewhere. Two
# forms, both in `gdlearn.optim` and both chained before the optimizer, `chain(clip, sgd(lr))`:
#
# - **by value**, `clip_by_value(c)` (torch's `clip_grad_value_`): each entry of
#   the gradient is cut to $[-c, c]$;
# - **by global norm**, `clip_by_global_norm(c)` (torch's `clip_grad_norm_`): if
#   $\|g\|$ exceeds $c$, the whole gradient is scaled down to norm $c$:
#   exactly, it is multiplied by $\min\big(1,\ c / (\|g\| + 10^{-6})\big)$, so norms
#   within $10^{-6}$ below $c$ are shrunk by a hair too.
#
# The difference is the direction. Scaling keeps it; cutting the entries separately does not:

# %%
def angle_degrees(u, v):
    return float(np.degrees(np.arccos(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1, 1))))


c = 1.0
by_value = clip_by_value(c).update(g0, clip_by_value(c).init(start))[0]
by_norm = clip_by_global_norm(c).update(g0, clip_by_global_norm(c).init(start))[0]
print(f"by value: {by_value}, turned {angle_degrees(g0, by_value):.1f} degrees")
print(f"by norm:  {by_norm.round(4)}, turned {angle_degrees(g0, by_norm):.1f} degrees, norm {np.linalg.norm(by_norm):.6f}")

clipped = {name: run(chain(block(c), sgd(lr=lr)), wall, start, steps=200, tol=0)
           for name, block in [("by value", clip_by_value), ("by global norm", clip_by_global_norm)]}
for name, tr in clipped.items():
    print(f"clipping {name}: {tr.message}, loss {tr.fs[0]:.0f} -> {tr.f:.3g}")
g_many = np.r_[1000.0, np.ones(999)]                                    # one large entry among 1,000
turn_many = angle_degrees(g_many, clip_by_value(1.0).update(g_many, clip_by_value(1.0).init(g_many))[0])
print(f"1,000 parameters, clipped by value: turned {turn_many:.1f} degrees")
slow = run(sgd(lr=1e-4), wall, start, steps=200, tol=0)                  # a rate the wall tolerates
print(f"no clipping, lr = 1e-4: {slow.message}, loss {slow.f:.2f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert plain.status == "diverged" and plain.diverged_at == 1
assert 1.2e4 < np.linalg.norm(g0) < 1.25e4 and round(np.linalg.norm(lr * g0)) == 246   # one step 246 long
assert np.isclose(np.linalg.eigvalsh(wall.hess(np.array([0.0, 3.0]))).max(), 10.0)    # the floor at w = 0
assert abs(troubles.recurrence(0.0, 1.0, np.full(20, 3.0))[-1] - 3) < 1e-12           #   is b = 3
assert np.array_equal(by_value, [1.0, -1.0])                            # both entries cut to +-c
assert 30 < angle_degrees(g0, by_value) < 35                             # the direction turns by 33 degrees
assert np.allclose(by_norm / np.linalg.norm(by_norm), g0 / np.linalg.norm(g0), rtol=1e-12)  # same direction
assert np.isclose(np.linalg.norm(by_norm), c, rtol=1e-9)
for tr in clipped.values():
    assert tr.status != "diverged" and tr.f < 0.2 and tr.fs[0] > 600
    assert tr.grad_norms[0] > 1e4 * c and tr.grad_norms.min() > c        # every step is clipped
assert 85 < turn_many < 87
assert slow.status == "max_steps" and slow.f > 5

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_g) = plt.subplots(1, 2, figsize=(12, 4.4), width_ratios=[1.35, 1.2])
wall_levels = np.geomspace(1e-2, 1e8, 11)                   # one level per decade
wall_art = plotting.plot_contours(wall, ax=ax, levels=wall_levels, mark_minima=False,
                                  title="Recurrence loss, $T$ = 20: a wall at $|w| \\approx 1$")
wall_bar = fig.colorbar(wall_art.filled, ax=ax, boundaries=wall_levels, ticks=wall_levels[::2], pad=0.03)
wall_bar.set_ticklabels([f"$10^{{{k}}}$" for k in range(-2, 9, 2)])
wall_bar.set_label("loss $f(w, b)$, contour levels")
colors = {"by value": COLORS["orange"], "by global norm": COLORS["blue"]}
for name, tr in clipped.items():
    plotting.plot_path(tr, ax=ax, color=colors[name], markers=False, legend=False).start.set_visible(False)
    ax.plot([], [], color=colors[name], marker="D", mec="black", label=f"clipped {name}, its end (200 steps)")
W, B, _ = plotting.surface_grid(wall, 300)
h_T = troubles.recurrence(W, 1.0, np.broadcast_to(B, (20,) + B.shape))[-1]
ax.contour(W, B, h_T - 3.0, levels=[0.0], colors="white", linewidths=5, zorder=3.9)   # white halo, above the paths
ax.contour(W, B, h_T - 3.0, levels=[0.0], colors=[COLORS["bluish_green"]], linestyles="--", linewidths=2.5, zorder=4)  # floor
ax.plot([], [], color=COLORS["bluish_green"], linestyle="--", linewidth=2.5, label="valley floor $h_T = 3$")
ax.annotate("", xy=start - 1.1 * g0 / np.linalg.norm(g0), xytext=start,
            arrowprops=dict(arrowstyle="->", color=COLORS["vermillion"], lw=2))
ax.plot([], [], color=COLORS["vermillion"], label="no clipping: the first step\npoints here (and is 246 long)")
ax.plot(*start, **dict(style.START_STYLE, markeredgecolor="black"), label="start (both runs)")
ax.set(xlabel="$w$", ylabel="$b$")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)   # below: nothing hidden
for name, tr in clipped.items():                 # even and odd steps apart: the bounce is two lines, not a band
    k_all = np.arange(len(tr.grad_norms))
    for parity, ls in [(0, "-"), (1, "--")]:
        ax_g.semilogy(k_all[parity::2], tr.grad_norms[parity::2], color=colors[name], linestyle=ls,
                      label=f"clipped {name}, {'even' if parity == 0 else 'odd'} steps")
ax_g.axhline(c, color="black", linestyle=":", linewidth=1, label="threshold $c$ = 1")
ax_g.set(xlabel="step $k$", ylabel="gradient norm (before clipping)", title="Gradient norms along the clipped runs")
ax_g.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.15));   # below: off the curves

# %% [markdown]
# Both clipped runs walk down the wall with steps of bounded length; clipping by global norm follows
# the gradient, clipping by value first heads diagonally (both entries cut to $\pm1$) and ends
# elsewhere. Without clipping, a learning rate of $10^{-4}$ survives the wall, but after 200 steps
# its loss is still above 5: slow everywhere to be safe in one place. With many parameters clipping
# by value can turn the step much more: a gradient of 1,000 entries, one of them 1,000 and the
# others 1, cut at $c = 1$ becomes all ones, turned by 86°.
# **Clipping by global norm** is the form Pascanu, Mikolov and Bengio (2013)
# proposed against exploding gradients, and what `torch.nn.utils.clip_grad_norm_` does.
#
# On the right, the diagnosis: the gradient norm stays above the threshold, so every step is clipped
# and has a fixed length ($\text{lr}\cdot c \approx 0.02$ by global norm, between 0.02 and $0.02\sqrt2$
# by value), and such a run cannot settle. Toward the end the norm alternates between a high and a low
# value at every step (two lines, even and odd steps): the iterate bounces across the valley, which
# has become too sharp for the rate there. The cure is a lower learning rate, below $2/\lambda_{\max}$
# where the run ends: section E of the [details notebook](07_troubleshooting_details.ipynb) measures
# the bounce and that curvature, and reruns both clipped runs at a rate below their bound: both then converge.
#
# ## 4. Saddle points and plateaus
#
# At a saddle point the gradient is zero but the point is not a minimum: some directions
# go down. The saddle $f(x, y) = x^2 - y^2$ has Hessian $\mathrm{diag}(2, -2)$. Gradient
# descent with step $\eta$ multiplies $x$ by $1 - 2\eta$ and $y$ by $1 + 2\eta$: $x$
# shrinks, $y$ grows, but from a start close to the $x$-axis (the saddle's *stable
# manifold*) $y$ starts tiny and grows slowly. Starting at $y_0 = \varepsilon$, it takes
#
# $$k = \left\lceil \frac{\ln(1/\varepsilon)}{\ln(1 + 2\eta)} \right\rceil$$
#
# steps to reach $|y| \ge 1$, growing with every factor of 10 closer. Counted:

# %%
lr = 0.05
escapes, saddle_runs = {}, {}
for eps in [1e-1, 1e-3, 1e-6, 1e-9]:
    tr = saddle_runs[eps] = run(sgd(lr=lr), saddle, [-1.8, eps], steps=300, tol=0)
    escapes[eps] = int(np.argmax(np.abs(tr.xs[:, 1]) >= 1))
    theory = int(np.ceil(np.log(1 / eps) / np.log(1 + 2 * lr)))
    print(f"y0 = {eps:.0e}: escapes after {escapes[eps]} steps (formula: {theory})")
    assert escapes[eps] == theory
assert escapes[1e-9] > 8 * escapes[1e-1]
assert 1e-5 < saddle_runs[1e-9].grad_norms.min() < 1e-3                  # the dip: |grad f| ~ 1e-4

# %% [markdown]
# The formula needs a saddle whose negative curvature is not zero (with curvature
# $-\lambda$ along $y$ the factor is $1 + \eta\lambda$); at a *degenerate* saddle such
# as $x^2 - y^4$ the wait is far longer, polynomial in $1/\varepsilon$ (section F of the
# [details notebook](07_troubleshooting_details.ipynb)).

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_l) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
shades = dict(zip(saddle_runs, [COLORS["sky_blue"], COLORS["blue"], COLORS["orange"], COLORS["vermillion"]]))
styles = dict(zip(saddle_runs, ["-", "--", "-.", ":"]))
for eps, tr in saddle_runs.items():
    ax.semilogy(np.abs(tr.xs[: escapes[eps] + 10, 1]), color=shades[eps], linestyle=styles[eps], linewidth=2,
                label=f"$y_0$ = {eps:.0e}")
    ax.plot(escapes[eps], np.abs(tr.xs[escapes[eps], 1]), "o", color=shades[eps], markeredgecolor="black")
    ax_l.semilogy(tr.grad_norms[: escapes[eps] + 10], color=shades[eps], linestyle=styles[eps],
                  label=f"$y_0$ = {eps:.0e}")
ax.axhline(1.0, color="black", linewidth=0.8)
ax.set(xlabel="step $k$", ylabel="$|y_k|$ (distance from the stable manifold)",
       title="Saddle $x^2 - y^2$: $|y_k|$ grows by $1 + 2\\eta$ per step")
ax.legend(fontsize=8, loc="lower right")
ax_l.set(xlabel="step $k$", ylabel=r"$\|\nabla f(x_k)\|$", title="Gradient norm: a dip, then escape")
ax_l.legend(fontsize=8);

# %% [markdown]
# All four runs travel along the $x$-axis toward the saddle and then leave along $y$. On the left,
# $|y_k|$ on a log scale is a straight line (slope $\ln(1 + 2\eta)$ per step in $\ln|y_k|$) from each start; the dots mark
# the escape, $|y_k| \ge 1$. The closer the start is to the stable manifold, the longer the run
# lingers in the flat middle, where the gradient norm dips to $10^{-4}$ (right) and the loss hardly
# changes: a **plateau** in the loss curve. Worse, a start *on* the manifold converges to the
# saddle, and `run` calls that "converged", because all it checks is the gradient norm:

# %%
stuck = run(sgd(lr=lr), saddle, [-1.8, 0.0], steps=1000)
print(stuck.message, "at", stuck.x.round(8))
assert stuck.status == "converged" and np.allclose(stuck.x, 0, atol=1e-8)
assert np.linalg.eigvalsh(saddle.hess(stuck.x)).min() == -2.0          # a direction of descent remains

# %% [markdown]
# A small gradient means a flat spot, not a minimum. The diagnosis is a loss curve that
# flattens at a value you know to be too high, or a Hessian with a negative eigenvalue
# where you can afford it. Two cures: noise (a perturbation moves the iterate off the
# manifold; here isotropic Gaussian noise, a stand-in for mini-batch noise, which helps
# only where it has a component along the escape direction) and momentum (chapter 05),
# which raises the growth factor of $y$ per step. Momentum, measured:

# %%
def escape_step(trace):
    return int(np.argmax(np.abs(trace.xs[:, 1]) >= 1)) if np.any(np.abs(trace.xs[:, 1]) >= 1) else None


heavy = run(sgd(lr=lr, momentum=0.9), saddle, [-1.8, 1e-9], steps=300, tol=0)
stuck_heavy = run(sgd(lr=lr, momentum=0.9), saddle, [-1.8, 0.0], steps=1000)   # exactly on the manifold
print(f"from y0 = 1e-9: gradient descent escapes after {escapes[1e-9]} steps, heavy ball (beta = 0.9) after "
      f"{escape_step(heavy)}; from y0 = 0 the heavy ball {stuck_heavy.message}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert escapes[1e-9] == 218 and escape_step(heavy) == 77 and escape_step(heavy) < 0.5 * escapes[1e-9]
assert stuck_heavy.status == "converged"            # exactly on the manifold, momentum alone does not help

# %% [markdown]
# From $y_0 = 10^{-9}$ the heavy ball ($\beta = 0.9$) escapes after 77 steps instead of 218: along
# $y$ its recursion grows faster than gradient descent's factor $1 + 2\eta$. From a start exactly on
# the manifold it converges to the saddle like gradient descent: momentum multiplies the growth of
# $y$, but zero times anything is zero. Only noise helps there. Section F of the [details
# notebook](07_troubleshooting_details.ipynb) derives the heavy ball's count exactly and measures
# noisy runs (Gaussian noise of std $10^{-3}$ in the gradient), which escape even from $y_0 = 0$. In
# high-dimensional problems saddle points are expected to be far more common than bad local minima
# (Dauphin et al. 2014, an argument from the statistics of random functions, Bray & Dean 2007, and
# measurements on small networks, not a theorem about every network), which is one reason plateaus
# are a familiar sight.
#
# ## 5. Where `nan` and `inf` come from
#
# A float64 overflows above about $1.8\times10^{308}$ to `inf`, and then
# `inf - inf`, `0 * inf` or `inf / inf` give `nan`, which spreads to everything it
# touches. Two usual sources: a learning rate that makes the iterates grow
# geometrically, and a function evaluated outside its domain, such as $\log 0$.
#
# **A diverging run.** Gradient descent on $x^2$ multiplies $x$ by $1 - 2\eta$: with
# $\eta = 1.5$, by $-2$. A bare loop that never computes the loss runs for a
# thousand steps before the iterate overflows (the loss $x^2$ would be `inf` from
# step 512, below), all the while producing numbers that are useless. Asking numpy to
# *raise* instead of warning (`np.errstate(over="raise")`) pinpoints the first
# overflow:

# %%
x = 1.0
try:
    with np.errstate(over="raise", invalid="raise"):
        for step in range(2000):
            x = np.float64(x) - 1.5 * (2 * np.float64(x))
except FloatingPointError as error:
    print(f"step {step}: {error}; |x| was 2^{np.log2(abs(x)):.0f}")
assert step == 1023 and abs(x) == 2.0 ** 1023                             # the gradient 2x = 2^1024 overflows

diverging = run(sgd(lr=1.5), parabola, 1.0, steps=2000)
print(diverging.message)
assert diverging.status == "diverged" and diverging.diverged_at == 8

# %% [markdown]
# `gdlearn.run` stops long before: it checks after every step that the iterate is finite and within
# a bound (by default 100 times the size of the surface's domain), and reports the step. In your own
# loops, do the same: check `np.isfinite(loss)` every step, or run `troubles.divergence_step` over a
# loss history afterwards; it returns the first step where the loss is not finite or has grown
# beyond a thousand times the *starting* loss. It compares with the start, not with the best loss so
# far, so a run that falls and then climbs back up to its start is not flagged; exercise 7.2 writes
# the stricter rule.

# %%
with np.errstate(over="ignore"):
    history = 4.0 ** np.arange(1100.0)          # the losses f(x_k) = x_k^2 = 4^k of the loop above
print("first bad step:", troubles.divergence_step(history), "| first non-finite:", int(np.argmin(np.isfinite(history))))
assert troubles.divergence_step(history) == 5 and int(np.argmin(np.isfinite(history))) == 512

# %% [markdown]
# The loss $x^2 = 4^k$ passes a thousand times its start at step 5, long before it
# overflows at step 512.
#
# **A logarithm of zero.** The cross-entropy of logistic regression contains
# $\log \sigma(z)$ and $\log(1 - \sigma(z))$. For $z = 40$, $\sigma(z) = 1 - 4\times10^{-18}$,
# which rounds to exactly 1.0 in float64, and $\log(1 - 1) = -\infty$. A textbook
# implementation then returns an infinite loss, and its gradient through that
# logarithm becomes `nan`. The stable form, used by `gdlearn.models.logistic_loss`,
# rewrites the loss as $\log(1 + e^{z}) - yz$ and never forms $1 - \sigma(z)$:

# %%
def naive_cross_entropy(w, X, y):
    p = 1 / (1 + np.exp(-(X @ w)))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


X_bad, y_bad, w_bad = np.array([[40.0]]), np.array([0.0]), np.array([1.0])
with np.errstate(divide="ignore"):
    naive = naive_cross_entropy(w_bad, X_bad, y_bad)
print("naive:", naive, "| stable:", models.logistic_loss(w_bad, X_bad, y_bad))
assert 1 / (1 + np.exp(-40.0)) == 1.0 and np.isinf(naive)
p_40 = 1 / (1 + np.exp(-40.0))
with np.errstate(divide="ignore", invalid="ignore"):
    naive_grad = (1 / (1 - p_40)) * p_40 * (1 - p_40)      # d/dz of -log(1 - sigma(z)), by the chain rule
print("naive gradient through log(1 - p):", naive_grad)
assert np.isnan(naive_grad)                                   # inf * 0
assert np.isclose(models.logistic_loss(w_bad, X_bad, y_bad), 40.0)          # log(1 + e^40) - 0 = 40
rng_init = np.random.default_rng(0)                                            # loss at initialization: log 2
assert np.isclose(models.logistic_loss(np.zeros(3), rng_init.standard_normal((50, 3)), rng_init.integers(0, 2, 50)),
                  np.log(2))

# %% [markdown]
# **A checklist when a `nan` appears:**
#
# 1. Find the first step where anything is not finite (`np.isfinite` on the loss
#    and the gradient norm each step, or `divergence_step` on the history).
# 2. Look at the gradient norm just before (a rule of thumb, not a proof): a jump points to a
#    learning rate too large for that region (lower it, or clip); a normal size points to a
#    numerical problem in the loss's formula, like the $\log 0$ above.
# 3. Rerun the bad step under `np.errstate(all="raise")` to get a traceback at the
#    first overflow, division by zero or invalid operation.
# 4. Fix the formula: stable forms (`logaddexp`, `log1p`, the log-sum-exp trick),
#    or a small $\epsilon$ inside a logarithm or a division.
#
# Two checks before any long run catch many such bugs early (Karpathy 2019, "A recipe for training
# neural networks"): compare the loss at initialization with its known value (a logistic model
# started at $w = 0$ predicts $\sigma(0) = 1/2$, a cross-entropy of $\log 2 \approx 0.693$ on any
# data), and check that the model can fit one small batch almost exactly.
#
# ## 6. Overfitting: L2, L1 and early stopping
#
# A model with enough parameters can fit the noise of its training data. Take 40 noisy samples of a
# cubic (`data.polynomial`), keep half for training and half for **validation**, and fit a
# polynomial of degree 12: thirteen coefficients for twenty points.

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


print(f"{n_train} training points, {len(val.y)} validation points, {degree + 1} coefficients")
assert n_train == len(val.y) == 20

# %% [markdown]
# **L2 regularization** (ridge; "weight decay" for plain gradient descent, where
# the penalty's gradient shrinks every penalized weight by the factor $1 - \eta\lambda$ per
# step; with Adam the two differ, which is why AdamW exists, chapter 06) adds $\tfrac\lambda2 \sum_{j\ge1} w_j^2$ to
# the loss, which pulls the coefficients toward zero (the intercept $w_0$ is not
# penalized). How strong should it be? With almost no penalty ($\lambda = 10^{-12}$) the
# polynomial snakes through the training points and its validation error is about 19; with a
# large one ($\lambda = 10$) it is too stiff to follow the curve (underfitting); in between,
# at $\lambda = 10^{-3}$, the validation error is 0.037. Almost all of the 19 comes from the
# two validation points beyond the largest training input, where the polynomial extrapolates:
# on the 18 inside the training range the errors are 0.28 and 0.041. The figure below shows the
# three fits; section G of the [details notebook](07_troubleshooting_details.ipynb) draws the whole
# validation curve. Choose $\lambda$ on the validation set, never on the training set.

# %%
lams = np.logspace(-12, 1, 53)
val_err = np.array([mse(ridge_solution(lam), X_val, val.y) for lam in lams])
best = int(np.argmin(val_err))
print(f"validation error: lambda = 1e-12 {val_err[0]:.1f}, best lambda = {lams[best]:.0e} {val_err[best]:.3f}, "
      f"lambda = 10 {val_err[-1]:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(val_err[0] - 19) < 0.5 and np.isclose(lams[best], 1e-3) and abs(val_err[best] - 0.037) < 0.0005
assert val_err[best] < 0.2 * min(val_err[0], val_err[-1])        # much better than both ends
inside = val.X[:, 0] <= train.X[:, 0].max()                      # 18 of 20 (none below the training range)
assert inside.sum() == 18 and val.X[:, 0].min() >= train.X[:, 0].min()
assert abs(mse(ridge_solution(1e-12), X_val[inside], val.y[inside]) - 0.28) < 0.005
assert abs(mse(ridge_solution(1e-3), X_val[inside], val.y[inside]) - 0.041) < 0.0005

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 3.8))
t_fit = np.linspace(-1, 1, 300)
ax.plot(train.X[:, 0], train.y, "o", color="black", markersize=5, label="training")
ax.plot(val.X[:, 0], val.y, "s", color="black", markerfacecolor="white", markersize=5, label="validation")
for lam, color, ls in [(1e-12, COLORS["vermillion"], "-"), (1e-3, COLORS["blue"], "--"), (10.0, COLORS["orange"], "-.")]:
    ax.plot(t_fit, poly_features(t_fit, degree) @ ridge_solution(lam), color=color, linestyle=ls, label=f"$\\lambda$ = {lam:g}")
ax.set(ylim=(curve.y.min() - 0.6, curve.y.max() + 1.3), xlabel="$t$", ylabel="$y$",
       title=f"Degree-{degree} fits with L2 regularization ($\\lambda$ = 1e-12 leaves the frame at the right)")
ax.legend(fontsize=7, ncol=3, loc="upper right");

# %% [markdown]
# **L1 regularization** (lasso) adds $\lambda\sum_{j\ge1}|w_j|$ instead. Minimized with
# *proximal* steps (a gradient step on the squared error, then shrink every penalized coefficient
# toward 0 by $\eta\lambda$ and stop at 0: `troubles.soft_threshold`), it sets
# coefficients exactly to zero, a sparse model; plain subgradient steps do not. Section H
# of the [details notebook](07_troubleshooting_details.ipynb) shows both on this polynomial.
#
# **Early stopping.** Gradient descent on a quadratic, at a rate $\eta \le 1/L$,
# converges fastest along the directions of large curvature and last along those of small curvature
# (chapter 02: the error along curvature $\lambda$ is multiplied by $1 - \eta\lambda$ per step,
# which is smaller for larger $\lambda$ as long as $\eta\lambda \le 1$; here $\eta = 1/L$), so
# stopping early leaves the latter partly unfitted: it acts as a regularizer. Run it without any
# penalty, record the validation error after every step, and keep the best weights:

# %%
L_data = np.linalg.eigvalsh(X_train.T @ X_train / n_train).max()
history = troubles.fit_regularized(X_train, train.y, 0.0, lr=1 / L_data, epochs=20_000,
                                   X_val=X_val, y_val=val.y)
best_overall = int(np.argmin(history.val_loss))
stops = {patience: troubles.early_stopping(history.val_loss, patience) for patience in [500, 1000]}
for patience, (best_epoch, stop_epoch) in stops.items():
    print(f"patience {patience}: stop at epoch {stop_epoch}, keep epoch {best_epoch} "
          f"(validation error {history.val_loss[best_epoch]:.4f})")
print(f"lowest validation error: epoch {best_overall}, {history.val_loss[best_overall]:.4f}; "
      f"after 20,000 epochs: {history.val_loss[-1]:.4f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert stops[500] == (331, 831) and stops[1000] == (best_overall, best_overall + 1000) == (2243, 3243)
assert history.val_loss[331] < 1.05 * history.val_loss[best_overall]          # within 5 % of the best
assert history.val_loss[-1] > 1.7 * history.val_loss[best_overall]           # what not stopping costs
bump_top = int(np.argmax(history.val_loss[331:best_overall])) + 331
assert 1.005 < history.val_loss[bump_top] / history.val_loss[331] < 1.02 and 600 < bump_top < 900   # about 1 %
assert np.all(np.diff(history.train_loss) <= 1e-15)                          # training error never rises

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.6))
epochs = np.arange(len(history.train_loss))
ax.loglog(epochs[1:], history.train_loss[1:], color=COLORS["blue"], label="training error")
ax.loglog(epochs[1:], history.val_loss[1:], color=COLORS["vermillion"], label="validation error")
for (patience, (best_epoch, stop_epoch)), ls, marker in zip(stops.items(), [":", "--"], ["o", "s"]):
    ax.axvline(stop_epoch, color="black", linestyle=ls, linewidth=1)
    ax.plot(best_epoch, history.val_loss[best_epoch], marker, color="black", markerfacecolor="white", markersize=8)
    ax.plot([], [], color="black", linestyle=ls, linewidth=1, marker=marker, markerfacecolor="white",
            label=f"patience {patience}: stop at {stop_epoch} (line), keep {best_epoch} (marker)")
ax.set(xlabel="epoch (gradient descent step)", ylabel="mean squared error / 2",
       title=f"Degree {degree}, no penalty: the validation error turns up")
zoom = ax.inset_axes([0.29, 0.62, 0.33, 0.3])                  # the bump that patience must ride out, magnified
zoom_epochs = epochs[100:4001]
zoom.plot(zoom_epochs, history.val_loss[zoom_epochs], color=COLORS["vermillion"])
for (patience, (best_epoch, stop_epoch)), ls, marker in zip(stops.items(), [":", "--"], ["o", "s"]):
    zoom.axvline(stop_epoch, color="black", linestyle=ls, linewidth=1)
    zoom.plot(best_epoch, history.val_loss[best_epoch], marker, color="black", markerfacecolor="white", markersize=6)
zoom.set(xscale="log", ylim=(0.0362, 0.0396))
zoom.set_title("validation error, epochs 100 to 4,000 (zoom)", fontsize=7)
zoom.tick_params(labelsize=7)
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2);   # below: the stop lines span the height

# %% [markdown]
# The training error falls all the way; the validation error falls, dips at epoch 331, rises a
# little (about 1 %, up to near epoch 740; see the zoom), reaches its lowest value at epoch 2,243
# and then climbs. `early_stopping(val_losses, patience)` walks the curve as a training loop would:
# it stops once `patience` epochs have passed without a new best, and returns the best epoch, whose
# weights you keep. With a patience of 500 it stops at epoch 831 and keeps epoch 331, within 5 % of
# the best; a patience of 1,000 rides out the bump and finds epoch 2,243. Patience trades training
# time for safety against a bumpy validation curve. Stopping gradient descent after $k$ steps of
# rate $\eta$, started at $w = 0$, acts roughly like an L2 penalty $\lambda \approx 1/(\eta k)$
# (Goodfellow, Bengio & Courville 2016, section 7.8); section G of the [details
# notebook](07_troubleshooting_details.ipynb) compares the two on this data.
#
# ## 7. Initialization
#
# **Symmetry.** Start every weight at zero, and in a tanh chain every hidden
# activation is $\tanh(0) = 0$. Then every weight gradient $a_{l-1}^\top\delta_l$ is zero as well:
# the first layer's because the error reaching it passed through zero weights, the others' because
# their inputs are zero. Gradient descent never moves the weights. This needs $\phi(0) = 0$, as for
# tanh and ReLU; the sigmoid, with $\sigma(0) = 1/2$, is different (below).

# %%
X4, Y4 = rng.standard_normal((32, 4)), rng.standard_normal((32, 4))
zero_init = troubles.init_chain(depth=3, width=4, init="constant", scale=0.0)
g_zero = troubles.chain_backprop(zero_init, X4, Y4, "tanh")
assert all(np.all(g_zero[k] == 0) for k in g_zero if k != "b3") and np.abs(g_zero["b3"]).max() > 0.1
print("all-zero start: every weight gradient is exactly zero (only the last bias learns)")

# %% [markdown]
# A symmetric start that is *not* all zero, such as every weight equal to 0.3, fails in a subtler
# way: it can train, but only as a narrower network (unless its pre-activations all sit where
# $\phi' = 0$, e.g. all negative for ReLU: then it does not train at all). If all weights are equal
# (say 0.3), all units of a *hidden* layer compute the same thing and receive the same gradient, so
# they stay equal forever: the layer is as good as one unit wide. (The output units differ, because
# each has its own target.) Train for 300 steps and compare the units:

# %%
def train_chain(params, steps=300, lr=0.1, activation="tanh"):
    opt = sgd(lr=lr)
    state = opt.init(params)
    for _ in range(steps):
        updates, state = opt.update(troubles.chain_backprop(params, X4, Y4, activation), state, params)
        params = apply_updates(params, updates)
    return params


symmetric = train_chain(troubles.init_chain(depth=3, width=4, init="constant", scale=0.3))
random_start = train_chain(troubles.init_chain(depth=3, width=4, init="xavier", seed=0))
spread_sym = np.ptp(symmetric["W2"], axis=1).max()          # differences between the units of layer 2
spread_rand = np.ptp(random_start["W2"], axis=1).max()
print(f"largest difference between units after training: symmetric start {spread_sym:.1e}, random start {spread_rand:.2f}")
spread_out = np.ptp(symmetric["W3"], axis=1).max()           # the output layer: each unit has its own target
print(f"symmetric start, output layer: largest difference between units {spread_out:.2f}")
loss_sym = troubles.chain_loss(symmetric, X4, Y4, "tanh")
loss_rand = troubles.chain_loss(random_start, X4, Y4, "tanh")
loss_sym_start = troubles.chain_loss(troubles.init_chain(depth=3, width=4, init="constant", scale=0.3), X4, Y4, "tanh")
print(f"symmetric start: loss {loss_sym_start:.2f} -> {loss_sym:.2f} (it trains, as a one-unit-wide chain); "
      f"random start: {loss_rand:.2f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert spread_sym < 1e-12 and spread_rand > 0.1 and np.ptp(symmetric["W1"], axis=1).max() < 1e-12  # hidden layers
assert spread_out > 0.1
assert loss_rand < loss_sym and loss_sym < 0.9 * loss_sym_start

# %% [markdown]
# (The sigmoid's all-zero start is a symmetric start of this kind: with
# $\sigma(0) = 1/2$ its weights do move, but every hidden layer stays as good as one
# unit wide; section I of the [details notebook](07_troubleshooting_details.ipynb).)
#
# Random weights break the symmetry. **How large** they are matters as much. A unit
# with $n_{\text{in}}$ inputs sums $n_{\text{in}}$ terms $a_j w_j$; with independent weights of
# mean 0 and variance $v$, the forward signal keeps its size (its second moment) if $n_{\text{in}} v = 1$, and
# the backward signal (through $W^\top$, with slope $\phi' \approx 1$) if $n_{\text{out}} v = 1$.
# Glorot & Bengio (2010) take the compromise $v = 2/(n_{\text{in}} + n_{\text{out}})$
# ("Xavier"), derived for activations with slope 1 at 0 such as tanh; for the square
# layers of our chain it is $1/\text{width}$, what `init_chain(init="xavier")` uses. ReLU
# zeroes the negative half of pre-activations symmetric about 0, which halves the
# signal's second moment, and He et al. (2015) double the variance to $2/n_{\text{in}}$ to
# make up for it. Section J of the [details notebook](07_troubleshooting_details.ipynb) derives both. Too small, and the signal shrinks
# layer after layer; too large, and tanh units saturate at $\pm1$. The root mean
# square of the activations through 30 tanh layers of 64 units, and the gradient
# norm per layer, for three scales $s$ (weights $N(0, s^2/\text{width})$):

# %%
X64 = rng.standard_normal((64, 64))
Y64 = rng.standard_normal((64, 64))
scales = {0.5: COLORS["sky_blue"], 1.0: COLORS["blue"], 3.0: COLORS["vermillion"]}
rms, grad_norms_init, saturated = {}, {}, {}
for s in scales:
    params = troubles.init_chain(30, 64, init="xavier", scale=s, seed=2)
    _, acts = troubles.chain_forward(params, X64, "tanh")
    rms[s] = np.array([np.sqrt(np.mean(a ** 2)) for a in acts[1:]])
    saturated[s] = float(np.mean(np.abs(acts[-1]) > 0.9))
    grad_norms_init[s] = troubles.layer_grad_norms(troubles.chain_backprop(params, X64, Y64, "tanh"))
    print(f"s = {s}: activation RMS at layer 30 = {rms[s][-1]:.1e}, saturated units {saturated[s]:.0%}, "
          f"|dL/dW1| = {grad_norms_init[s][0]:.1e}")
relu = {}
for init in ["xavier", "he"]:
    _, acts = troubles.chain_forward(troubles.init_chain(30, 64, init=init, seed=2), X64, "relu")
    relu[init] = np.array([np.sqrt(np.mean(a ** 2)) for a in acts[1:]])
print(f"ReLU, activation RMS at layer 30: Xavier {relu['xavier'][-1]:.1e}, He {relu['he'][-1]:.2f} "
      f"({relu['he'][-1] / relu['he'][0]:.2f} times layer 1's)")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert rms[0.5][-1] < 1e-8 and saturated[3.0] > 0.5 and 0.05 < rms[1.0][-1] < 1
assert grad_norms_init[0.5].max() < 1e-7 * grad_norms_init[1.0].min()     # s = 0.5: nothing learns
assert 0.45 < (rms[0.5][-1] / rms[0.5][0]) ** (1 / 29) < 0.55              # the signal halves per layer
assert grad_norms_init[3.0][0] > 1e3 * grad_norms_init[3.0][-1]            # s = 3: gradients explode downwards
assert 0.1 < grad_norms_init[1.0][0] / grad_norms_init[1.0][-1] < 10      # s = 1: the same order everywhere
assert 0.5 < relu["he"][-1] / relu["he"][0] < 2                      # He: the signal keeps its size
assert abs(relu["he"][-1] / relu["he"][0] - 1.02) < 0.03             #   on this draw, 1.02 (typical draws: below)
assert 0.3 < relu["xavier"][-1] / relu["xavier"][0] / 2 ** -14.5 < 3  # Xavier: halved second moment per layer
rng_draws, a_draws, rms_draws = np.random.default_rng(3), np.broadcast_to(X64[:16], (200, 16, 64)), []
for _ in range(30):                     # 200 independent He draws of the 30-layer ReLU chain, 16 inputs each
    a_draws = np.maximum(a_draws @ (rng_draws.standard_normal((200, 64, 64)) * np.sqrt(2 / 64)), 0)
    rms_draws.append(np.sqrt(np.mean(a_draws ** 2, axis=(1, 2))))
he_ratios = rms_draws[-1] / rms_draws[0]                                 # layer 30 / layer 1, per draw
assert 0.5 < np.median(he_ratios) < 0.75 and 0.62 < np.mean(he_ratios < 1) < 0.8    # median 0.63, 72 % below 1

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_a, ax_g) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
layers = np.arange(1, 31)
for (s, color), marker in zip(scales.items(), ["o", "s", "^"]):
    ax_a.semilogy(layers, rms[s], color=color, marker=marker, markevery=3, markersize=4, label=f"tanh, $s$ = {s}")
    ax_g.semilogy(layers, grad_norms_init[s], color=color, marker=marker, markevery=3, markersize=4,
                  label=f"tanh, $s$ = {s}")
ax_a.semilogy(layers, relu["he"], color=COLORS["bluish_green"], linestyle="--", marker="D", markevery=3,
              markersize=4, markerfacecolor="white", label="ReLU, He")
ax_a.semilogy(layers, relu["xavier"], color=COLORS["orange"], linestyle=":", marker="v", markevery=3,
              markersize=4, markerfacecolor="white", label="ReLU, Xavier")
ax_a.set(xlabel="layer $l$", ylabel="RMS of the activations $a_l$", title="Forward: the signal's size")
ax_g.set(xlabel="layer $l$", ylabel=r"$\|\partial \mathcal{L} / \partial W_l\|$", title="Backward: gradient norm per layer")
ax_a.legend(fontsize=8)
ax_g.legend(fontsize=8);

# %% [markdown]
# With $s = 0.5$ the signal halves at every layer and is gone by layer 30, and every layer's
# gradient is over ten million times smaller than with $s = 1$: either the layer's input or the
# error reaching it has faded. With $s = 3$ more than half of the last layer's units are saturated,
# yet the gradient **explodes** toward the input, more than a thousand times larger at layer 1 than
# at layer 30: the large weights outweigh the small derivatives $\tanh'$. The standard scale $s = 1$
# keeps both the signal and the gradient in range (tanh still shrinks the signal slowly, over many
# layers). For ReLU, He's factor 2 keeps the signal's second moment in expectation over the random
# weights, but a single draw at width 64 wanders, and more often down: over 200 draws the RMS at
# layer 30 is typically about 0.6 times layer 1's, and about seven draws in ten end below 1 (this
# one ends at 1.02). Xavier's weights lose, in expectation, a factor $\sqrt2$ per layer, $2^{-14.5}$
# over the 29 steps from layer 1 to layer 30.
#
# ## 8. Reading loss curves: what is wrong with this run?
#
# Six runs, each a real computation below, not a drawing: linear regression with gradient descent
# and mini-batch SGD (on `data.linear`, and for run A on `data.linear_features`, whose two features
# have scales 1 and 10), and the polynomial of section 6. Before reading the diagnoses under the
# figure, try to name what went wrong in each.

# %% jupyter={"source_hidden": true}
# The six runs (code hidden so as not to give the answers away; open it afterwards).
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
    """Gradient *ascent* by mistake: w + lr * g. The losses and the iterates."""
    xs = [w0]
    for _ in range(steps):
        xs.append(xs[-1] + lr * g_line(xs[-1]))
    return np.array([f_line(w) for w in xs]), np.array(xs)


def minibatch_run(lr, batch_size, epochs, seed=0):
    """Constant-rate mini-batch SGD; the full loss after every step."""
    rng_sgd = np.random.default_rng(seed)
    w, fs = w0.copy(), [f_line(w0)]
    for _ in range(epochs):
        for idx in models.minibatches(len(line.y), batch_size, rng=rng_sgd):
            w = w - lr * models.mse_grad(w, line.X[idx], line.y[idx])
            fs.append(f_line(w))
    return np.array(fs)


curve_d = data.polynomial(n=40, degree=3, noise=0.2, seed=11)         # run D: section 6's set-up, another draw
train_d, val_d = data.train_val_split(curve_d, 0.5, seed=11)
X_tr_d, X_va_d = poly_features(train_d.X[:, 0], degree), poly_features(val_d.X[:, 0], degree)
L_d = np.linalg.eigvalsh(X_tr_d.T @ X_tr_d / len(train_d.y)).max()
history_d = troubles.fit_regularized(X_tr_d, train_d.y, 0.0, lr=1 / L_d, epochs=5000, X_val=X_va_d, y_val=val_d.y)
gallery = {
    "A": run(sgd(lr=2.05 / L_scaled), (f_scaled, g_scaled), [0.0, 0.101], steps=150, tol=0, bound=1e6).fs,
    "B": run(sgd(lr=0.002 / L_line), (f_line, g_line), w0, steps=200, tol=0).fs,
    "C": minibatch_run(lr=0.5 / L_line, batch_size=2, epochs=2),
    "D": (history_d.train_loss, history_d.val_loss),
    "E": sign_bug_run(lr=0.1 / L_line, steps=60)[0],
    "F": run(sgd(lr=0.3 / L_line), (f_line, g_line), w0, steps=45, tol=0).fs - f_star,
}

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(2, 3, figsize=(11, 6.4))
for ax, (key, fs) in zip(axes.ravel(), gallery.items()):
    if key == "D":
        steps_d = np.arange(1, len(fs[0]))          # log-scaled steps: the turn-up comes early (step 0 left out)
        ax.plot(steps_d, fs[0][1:], color=COLORS["blue"], label="training")
        ax.plot(steps_d, fs[1][1:], color=COLORS["vermillion"], linestyle="--", label="validation (20 points)")
        d_turn = int(np.argmin(fs[1]))
        ax.plot(d_turn, fs[1][d_turn], "o", color=COLORS["vermillion"], markerfacecolor="white")
        ax.annotate(f"validation lowest\nat step {d_turn}", xy=(d_turn, fs[1][d_turn]), xytext=(0.3, 0.04),
                    textcoords="axes fraction", fontsize=8, arrowprops=dict(arrowstyle="->", linewidth=0.8))
        ax.set(xlabel="step (log scale)", ylabel="loss itself (no minimum subtracted)", xscale="log", yscale="log",
               ylim=(0.005, None))             # room under the curves for the labels
        ax.legend(fontsize=8, loc="upper right")
    else:                                  # the other panels: loss above its minimum (B linear, the rest log)
        minimum = {"A": f_star_scaled, "F": 0.0}.get(key, f_star)     # F is already loss - minimum
        ax.plot(fs - minimum, color=COLORS["blue"])
        ax.set(xlabel="step", ylabel="loss $-$ minimum", yscale="linear" if key == "B" else "log")
    ax.set_title(f"Run {key}", fontweight="bold")
fig.suptitle("What is wrong with each run?", fontsize=10);

# %% [markdown]
# The diagnoses (section K of the [details notebook](07_troubleshooting_details.ipynb)
# has the longer versions and their checks):
#
# - **A — learning rate too high.** The loss falls for a few dozen steps, then turns and rises
#   faster and faster. The rate $2.05/L$ is just above the stability limit $2/L$ of the steep
#   direction (chapter 02): along it the error grows by $|1 - 2.05| = 1.05$ per step, slowly at
#   first, while the flat direction still converges and hides it (it falls first: its start already
#   has the minimizer's second coordinate, so its error along the steep direction starts small).
#   Lower the learning rate below $2/L$. The deeper cause here is the features' scales 1 and 10:
#   curvatures 0.97 and 101.45, so any stable rate is slow along the flat direction.
#   **Standardize the features** (section K of the [details notebook](07_troubleshooting_details.ipynb) does it for this run: gradient descent then converges in a few steps).
# - **B — learning rate too low.** A slow, steady decline that bends only
#   gently: after 200 steps the loss is still far above its minimum. Raise
#   the learning rate (here $0.002/L$; run F uses 150 times more).
# - **C — noisy SGD plateau.** Mini-batches of 2 at a constant rate: a fast fall,
#   then a jagged plateau above the minimum, the "noise ball" of chapter 04. Use
#   larger batches or a decaying learning rate.
# - **D — mild overfitting, exaggerated by a small validation set.** A fresh draw of section 6's
#   polynomial problem (the step axis is logarithmic so that the first steps show; the loss is not
#   shifted by a minimum). The training loss falls throughout; the validation loss (20 points, all
#   inside the training range) is lowest at step 4 and ends 2.55 times higher. But 20 points are a
#   noisy yardstick: section K of the [details notebook](07_troubleshooting_details.ipynb) evaluates
#   this run on 20,000 fresh points from the same curve and noise, where the error is lowest later
#   and rises far less. The model does overfit, mildly; the 20-point curve exaggerates the rise and
#   points at the wrong step. Before acting on a turn-up, **confirm it on more data** (or by
#   cross-validation); where the error on it rises, stop early, regularize, or get more data.
# - **E — a bug: the sign of the step.** The loss rises from the very first step, smoothly, at a
#   modest learning rate ($0.1/L$): the code does `w + lr * grad`, gradient *ascent*. The curve
#   alone does not tell this from a rate that is too high (correct gradient descent at $2.5/L$ on
#   the same data also rises from the first step). The tell is the dot product of **successive
#   steps**, $(w_{k+1} - w_k)\cdot(w_k - w_{k-1})$: negative at every step of that too-high rate
#   (the iterate goes back and forth across the valley), positive at every step of the sign bug (it
#   walks straight away from the minimum). Or take one **tiny step**: it must lower the loss; with
#   the sign bug it raises it.
# - **F — nothing wrong.** The loss's excess over its minimum falls along a
#   straight line on the log scale (linear convergence), to $3.3\times10^{-14}$
#   after 45 steps; run longer, it would go on down to round-off.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
A, B, C, (D_train, D_val), E, F = gallery.values()
turn = int(np.argmin(A))
assert 10 < turn < 100 and A[turn] < 0.5 * A[0] and A[-1] > 100 * A[0]              # A: falls, then explodes
assert np.allclose(np.linalg.eigvalsh(scaled.X.T @ scaled.X / len(scaled.y)), [0.97, 101.45], atol=0.006)
assert B[-1] - f_star > 0.3 * (B[0] - f_star) and np.all(np.diff(B) < 0)             # B: still far away
plateau = C[len(C) // 2:]                                                            # C, second half:
assert plateau.mean() > 1.2 * f_star and plateau.std() > 0.1 * f_star                #   noisy, well above f*
assert np.mean(plateau > f_star * (1 + 1e-3)) > 0.9 and plateau.mean() < 0.2 * C[0]  #   after a fast fall
assert np.all(np.diff(D_train) <= 1e-15) and int(np.argmin(D_val)) == 4               # D: training falls,
assert 2.5 < D_val[-1] / D_val[4] < 2.6                                              #    validation x2.55
assert val_d.X[:, 0].min() > train_d.X[:, 0].min() and val_d.X[:, 0].max() < train_d.X[:, 0].max()  # inside
assert np.all(np.diff(E) > 0)                                                        # E: rises from step 1
too_fast = run(sgd(lr=2.5 / L_line), (f_line, g_line), w0, steps=60, tol=0, bound=1e6)
assert np.all(np.diff(too_fast.fs) > 0)                                             # rises from step 1, like E
step_fast, step_E = np.diff(too_fast.xs, axis=0), np.diff(sign_bug_run(lr=0.1 / L_line, steps=60)[1], axis=0)
assert np.all(np.sum(step_fast[1:] * step_fast[:-1], axis=1) < 0)   # back and forth
assert np.all(np.sum(step_E[1:] * step_E[:-1], axis=1) > 0)         # straight on
tiny = 1e-3 / L_line
assert f_line(w0 - tiny * g_line(w0)) < f_line(w0) < f_line(w0 + tiny * g_line(w0))  # the tiny-step test
assert np.all(F > 0) and np.all(np.diff(F) < 0) and 2.5e-14 < F[-1] < 4e-14          # F: 3.3e-14

# %% [markdown]
# ## 9. Your turn: the clipping explorer
#
# The landscape of section 3: the loss of the recurrence over $(w, b)$, with its wall at
# $|w| \approx 1$. Choose the **clipping** (none, by value, by global norm), the **threshold** $c$
# and the **learning rate**, and watch the path, the loss and the gradient norms before and after
# clipping. The status line under the figure says what happened, including at which step a run
# diverged and how far clipping turned the first step.
#
# With a live figure (`%matplotlib widget`, as in JupyterLab) **click on the contour
# plot to choose the start**; on a static page pass `x0=(w, b)` to `clipping_explorer`.

# %%
from gdlearn.widgets.clipping import clipping_explorer, descend

explorer = clipping_explorer()
explorer

# %% [markdown]
# Things to try:
#
# 1. Switch the clipping to **none**: the first step leaves the map. Find the
#    largest learning rate with which plain gradient descent survives the wall
#    (section 3 used $10^{-4}$), and look at where it gets in 200 steps.
# 2. Back to **by global norm**: raise the threshold $c$ step by step. From which $c$ on does the run
#    miss the valley, and from which on does it leave the map? Why do both answers depend on the
#    learning rate?
# 3. Compare **by value** and **by global norm** at the same $c$: where does each
#    path meet the valley floor (the dashed line)?
# 4. Start away from the wall, at $w = 0$ (click there, or `x0=(0.0, 0.5)`). The floor is at $b = 3$
#    there, above the map: the gradient (norm 2.8) is above $c = 1$, so clipping acts on the first
#    steps. Compare the three clippings: do the paths differ much, and where does each one end?
#
# The explorer's numbers can be checked:

# %%
print(explorer.status_text)
assert explorer.trace.status == "max_steps" and explorer.first_turn < 1e-6
explorer.update(clip="none")
assert explorer.status_text.startswith("diverged at step 1")
explorer.update(clip="by value")
assert abs(explorer.first_turn - angle_degrees(g0, by_value)) < 1e-9
explorer.update(clip="by global norm")
assert 2.79 < np.linalg.norm(wall.grad(np.array([0.0, 0.5]))) < 2.81        # prompt 4: |grad f| = 2.8 > c
ends = [descend(mode, 1.0, 0.02, wall, [0.0, 0.5], 200) for mode in ["none", "by value", "by global norm"]]
assert all(tr.f < 1e-20 for tr in ends) and max(np.linalg.norm(tr.x - ends[0].x) for tr in ends) < 0.06

# %% [markdown]
# ## Summary
#
# | symptom | likely cause | diagnosis | fix |
# | --- | --- | --- | --- |
# | first layers do not learn, long plateau | vanishing gradients (sigmoid chain, tiny weights) | gradient norm per layer, log scale | ReLU, He/Xavier initialization, normalization layers |
# | loss shoots up, then `nan` | exploding gradient (a wall, $w^T$) | gradient norm per step: huge at the step that blows up | clip by global norm; lower learning rate |
# | loss flat at a too-high value, tiny gradient | saddle point or plateau | small gradient norm at a high loss; the Hessian has a negative eigenvalue | noise (SGD), momentum, patience |
# | `nan` / `inf` | divergence, or $\log 0$, $0/0$ | first non-finite step; `np.errstate(all="raise")` | lower learning rate; stable formulas |
# | training falls, validation rises | overfitting; a small validation set exaggerates the rise and misplaces its start | validation curve, confirmed on more data (or cross-validation) | L2/L1, early stopping, more data |
# | loss rises from the first step | learning rate above $2/L$, or a sign bug (gradient ascent) | successive steps point back and forth (rate) or straight on (bug), i.e. their dot product is negative or positive; one tiny step must lower the loss | lower the rate, standardize the features; fix the sign |
# | hidden units identical: no weight learns (all-zero start, when $\phi(0) = 0$ as for tanh and ReLU) or the layer acts as one unit (any symmetric start) | symmetric initialization | gradients zero or identical per unit | random initialization at the right scale |
#
# - Every sigmoid layer multiplies the gradient by at most $1/4$ times its weights: over 30 layers
#   the first layer's gradient was $3\cdot10^{-19}$ times the last one's with tanh's weight scale,
#   and still $3\cdot10^{-8}$ with a scale four times larger. ReLU with He's initialization, tanh
#   with Xavier's, and the sigmoid with batch normalization keep it within a factor of 10.
# - Batch normalization standardizes each unit over the batch; it uses the batch's
#   statistics in training and running averages (torch: momentum 0.1, unbiased
#   variance) in evaluation. Layer normalization does the same per sample.
# - A recurrence contains $w^T$: gradients explode for $|w| > 1$ and vanish for $|w| < 1$. Clipping
#   by global norm bounds the step and keeps its direction; clipping by value in general changes the
#   direction (not when no entry exceeds $c$, or all exceed it by the same factor).
# - Near a non-degenerate saddle (here $x^2 - y^2$, curvature $-2$ along $y$), gradient descent
#   lingers $\ln(1/\varepsilon)/\ln(1 + 2\eta)$ steps for a start at distance $\varepsilon$ from the
#   stable manifold (with curvature $-\lambda$: $\ln(1/\varepsilon)/\ln(1 + \eta\lambda)$). At a
#   degenerate saddle such as $x^2 - y^4$ the wait is far longer. "Converged" only means a small
#   gradient.
# - Choose the regularization strength, and the moment to stop, on validation data.
#
# Not covered here, with a place to start: **gated recurrences** such as the LSTM (Hochreiter &
# Schmidhuber 1997; the forget gate is from Gers, Schmidhuber & Cummins 2000), the standard cure
# for vanishing gradients in recurrent networks: its cell state is updated by addition, so the
# gradient along it is multiplied at each step by the forget gate's value (a fixed 1 in the 1997
# cell), which the network learns and which varies from step to step, not by the same $w$ at every
# step; **dropout** (Srivastava et al. 2014); **float16 overflow** and loss scaling in
# mixed-precision training (Micikevicius et al. 2018); **dead ReLUs**, units whose input is
# negative on every sample and so get no gradient; learning-rate **warm-up** for large batches
# (Goyal et al. 2017); **residual connections** (He et al. 2016).
#
# ## Exercises
#
# Open [`exercises/07_troubleshooting.ipynb`](../exercises/07_troubleshooting.ipynb):
# clip a gradient by global norm as PyTorch does, detect the step where a run
# diverged from its loss history, and implement early stopping with patience. Each
# exercise has a `check(...)` cell that tells you at once whether your code is right.
