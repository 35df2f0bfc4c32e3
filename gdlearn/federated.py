r"""Federated averaging, simulated: many clients, data that never leaves them (chapter 10).

In federated learning (McMahan et al. 2017, "Communication-efficient learning
of deep networks from decentralized data") the training data sit on K
clients (phones, hospitals) and are never pooled. Each **round**, the server
sends the current weights :math:`w` to a random share ``client_fraction`` of
the clients; each client :math:`k` runs a few steps of gradient descent on its
own data, and sends back its weights :math:`w_k`; the server replaces
:math:`w` by their average weighted by the clients' data sizes :math:`n_k`:

.. math::

    w \leftarrow \sum_{k \in S} \frac{n_k}{\sum_{j \in S} n_j}\, w_k .

With one local step and all clients, that is exactly one step of full-batch
gradient descent on the pooled data. With many local steps, each client
drifts towards the minimum of *its own* loss; when the clients' data differ
(non-IID) those minima differ, and the average settles away from the pooled
minimum (**client drift**).

This module simulates all of it in one process: :func:`partition_non_iid`
splits a data set among clients (IID or with label skew), :func:`fedavg`
runs the rounds, :func:`aggregate` is the server's weighted mean. The loss
defaults to logistic regression (:mod:`gdlearn.models`).

Examples
--------
>>> import numpy as np
>>> from gdlearn import data
>>> from gdlearn.federated import fedavg, partition_non_iid
>>> d = data.logistic(n=300, seed=0)
>>> clients = partition_non_iid(d.X, d.y, n_clients=5, alpha=0.3, seed=0)
>>> len(clients), sum(len(c.y) for c in clients)   # every example on exactly one client
(5, 300)
>>> result = fedavg(clients, np.zeros(3), rounds=20, local_steps=5, lr=0.5)
>>> result.ws.shape, bool(result.losses[-1] < result.losses[0])
((21, 3), True)
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from . import models

__all__ = ["Client", "FedAvgResult", "partition_non_iid", "pool", "aggregate", "fedavg"]


class Client(NamedTuple):
    """One client's private data: ``X`` of shape ``(n_k, d)`` and ``y`` of shape ``(n_k,)``."""

    X: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class FedAvgResult:
    """The record of a federated-averaging run.

    Attributes
    ----------
    ws : ndarray, shape (rounds + 1, d)
        The global weights, ``w0`` first, then after each round.
    losses : ndarray, shape (rounds + 1,)
        The loss of the global weights on the pooled data of all clients
        (computed for monitoring: a real server could not).
    client_losses : ndarray, shape (rounds + 1, K)
        The loss of the global weights on each client's data.
    selected : ndarray of int, shape (rounds, m)
        The clients that took part in each round.
    """

    ws: np.ndarray
    losses: np.ndarray
    client_losses: np.ndarray
    selected: np.ndarray

    @property
    def w(self) -> np.ndarray:
        """The final global weights."""
        return self.ws[-1]

    @property
    def rounds(self) -> int:
        """The number of communication rounds."""
        return len(self.ws) - 1


# ------------------------------------------------------------------ checks
def _int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _real(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    return float(value)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_int(seed, "seed", 0))


def _clients(client_data: Any) -> list[Client]:
    try:
        clients = [Client(np.asarray(X, dtype=float), np.asarray(y, dtype=float)) for X, y in client_data]
    except (TypeError, ValueError):
        raise TypeError("client_data must be a sequence of (X, y) pairs, e.g. from partition_non_iid") from None
    if not clients:
        raise ValueError("client_data must hold at least one client")
    d = None
    for k, (X, y) in enumerate(clients):
        if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
            raise ValueError(f"client {k}: X must have shape (n_k, d) with n_k >= 1 and y shape (n_k,), "
                             f"got {X.shape} and {y.shape}")
        if d is not None and X.shape[1] != d:
            raise ValueError(f"client {k} has {X.shape[1]} features, client 0 has {d}")
        d = X.shape[1]
    return clients


# ------------------------------------------------------------------ data
def partition_non_iid(X: Any, y: Any, n_clients: int, *, alpha: float = 0.5, seed: Any = 0,
                      min_size: int = 1) -> list[Client]:
    r"""Split a labelled data set among clients, IID or with label skew.

    Label skew per class, the scheme of Yurochkin et al. (2019, "Bayesian
    nonparametric federated learning of neural networks", ICML) reused by Wang
    et al. (2020, FedMA): for each class :math:`c`, draw the shares
    :math:`p_c \sim \text{Dirichlet}(\alpha, \dots, \alpha)` over the clients and
    deal the examples of class :math:`c` out in those proportions, so client
    sizes differ. (Hsu, Qi & Brown 2019 instead draw each client's class mix
    from a Dirichlet, with equal client sizes.)
    Small :math:`\alpha` (0.1) gives clients that hold nearly one class each;
    large :math:`\alpha` approaches an even mix; ``alpha=math.inf`` is the IID
    split (shuffle, then equal parts). Draws that leave a client with fewer
    than ``min_size`` examples are repeated.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Class labels (any values; each distinct value is a class).
    n_clients : int
        ``K >= 1``, at most ``n // min_size``.
    alpha : float, default 0.5
        Dirichlet concentration, ``> 0``, or ``math.inf`` for IID.
    seed : int or numpy Generator, default 0
    min_size : int, default 1
        Fewest examples per client.

    Returns
    -------
    list of Client
        ``K`` clients, each with its examples in the original order; together they
        hold every example exactly once.

    Examples
    --------
    >>> import math, numpy as np
    >>> y = np.array([0] * 50 + [1] * 50)
    >>> X = np.arange(100.0)[:, None]
    >>> skewed = partition_non_iid(X, y, 4, alpha=0.1, seed=0)
    >>> sorted(np.concatenate([c.X[:, 0] for c in skewed]).tolist()) == X[:, 0].tolist()
    True
    >>> [len(c.y) for c in partition_non_iid(X, y, 3, alpha=math.inf)]   # IID: equal parts
    [34, 33, 33]
    >>> [len(c.y) for c in partition_non_iid(X, y, 4, alpha=math.inf)]
    [25, 25, 25, 25]
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},), got shape {y.shape}")
    n = X.shape[0]
    n_clients = _int(n_clients, "n_clients", 1)
    min_size = _int(min_size, "min_size", 0)
    if n_clients * min_size > n:
        raise ValueError(f"n_clients * min_size must be at most n = {n}, got {n_clients} * {min_size}")
    alpha = _real(alpha, "alpha")
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0 (math.inf for IID), got {alpha}")
    rng = _rng(seed)
    if math.isinf(alpha):
        parts = np.array_split(rng.permutation(n), n_clients)
    else:
        classes = np.unique(y)
        for _ in range(1000):
            parts = [[] for _ in range(n_clients)]
            for c in classes:
                members = rng.permutation(np.flatnonzero(y == c))
                shares = rng.dirichlet(np.full(n_clients, alpha))
                cuts = (np.cumsum(shares)[:-1] * len(members)).astype(int)
                for k, chunk in enumerate(np.split(members, cuts)):
                    parts[k].extend(chunk.tolist())
            if min(len(p) for p in parts) >= min_size:
                break
        else:
            raise ValueError(f"could not give every client {min_size} examples with alpha = {alpha}; "
                             "lower min_size or n_clients, or raise alpha")
        parts = [np.array(p, dtype=int) for p in parts]
    return [Client(X[np.sort(p)], y[np.sort(p)].astype(float)) for p in parts]


def pool(client_data: Sequence) -> Client:
    """All clients' data stacked into one data set (what a central server would train on).

    Examples
    --------
    >>> import numpy as np
    >>> pooled = pool([(np.ones((2, 3)), np.zeros(2)), (np.zeros((1, 3)), np.ones(1))])
    >>> pooled.X.shape, pooled.y.tolist()
    ((3, 3), [0.0, 0.0, 1.0])
    """
    clients = _clients(client_data)
    return Client(np.vstack([c.X for c in clients]), np.concatenate([c.y for c in clients]))


# ------------------------------------------------------------------ the server
def aggregate(client_weights: Any, sizes: Any, *, weighted: bool = True) -> np.ndarray:
    r"""The server's step: the average of the clients' weights, weighted by data size.

    .. math:: w = \sum_k \frac{n_k}{\sum_j n_j}\, w_k

    (``weighted=False``: the plain mean, which over-counts small clients).

    Parameters
    ----------
    client_weights : array_like, shape (m, d)
    sizes : array_like, shape (m,)
        The number of examples ``n_k >= 0`` of each client, not all zero.
    weighted : bool, default True

    Examples
    --------
    >>> aggregate([[0.0, 0.0], [4.0, 8.0]], sizes=[300, 100])
    array([1., 2.])
    >>> aggregate([[0.0, 0.0], [4.0, 8.0]], sizes=[300, 100], weighted=False)
    array([2., 4.])
    """
    W = np.asarray(client_weights, dtype=float)
    if W.ndim == 1:
        W = W[:, None]
    if W.ndim != 2 or W.shape[0] == 0:
        raise ValueError(f"client_weights must have shape (m, d) with m >= 1, got shape {W.shape}")
    n = np.asarray(sizes, dtype=float)
    if n.shape != (W.shape[0],):
        raise ValueError(f"sizes must have shape ({W.shape[0]},), one size per client, got shape {n.shape}")
    if not weighted:
        return W.mean(axis=0)
    if np.any(n < 0) or not np.all(np.isfinite(n)) or n.sum() <= 0:
        raise ValueError(f"sizes must be finite, >= 0 and not all zero, got {sizes!r}")
    return (n / n.sum()) @ W


def fedavg(client_data: Sequence, w0: Any, *, rounds: int = 50, local_steps: int = 1,
           lr: float = 0.1, client_fraction: float = 1.0, seed: Any = 0, weighted: bool = True,
           batch_size: int | None = None, loss: Callable | None = None,
           grad: Callable | None = None) -> FedAvgResult:
    r"""Federated averaging (McMahan et al. 2017), simulated.

    Each round: choose :math:`m = \max(1, \text{round}(C K))` of the :math:`K`
    clients at random (all of them, in order, when :math:`C = 1`); each chosen
    client starts from the global :math:`w` and takes ``local_steps`` gradient
    steps :math:`w_k \leftarrow w_k - \text{lr}\,\nabla L_k(w_k)` on its own data
    (full batch, or random mini-batches of ``batch_size``); then
    :math:`w \leftarrow` :func:`aggregate` of the :math:`w_k`.

    Parameters
    ----------
    client_data : sequence of (X, y)
        The clients' data, e.g. from :func:`partition_non_iid`.
    w0 : array_like, shape (d,)
        The initial global weights.
    rounds : int, default 50
        Communication rounds.
    local_steps : int, default 1
        Gradient steps per client per round (McMahan's :math:`E\,n_k/B`).
    lr : float, default 0.1
        The clients' learning rate, ``> 0``.
    client_fraction : float, default 1.0
        The share :math:`C \in (0, 1]` of clients per round.
    seed : int or numpy Generator, default 0
        For the choice of clients and of mini-batches.
    weighted : bool, default True
        Weight the average by the clients' data sizes (False: plain mean).
    batch_size : int, optional
        Local mini-batch size; ``None`` uses the client's whole data.
    loss, grad : callable, optional
        ``loss(w, X, y)`` (a mean over examples) and its gradient; default
        :func:`gdlearn.models.logistic_loss` and :func:`~gdlearn.models.logistic_grad`.

    Returns
    -------
    FedAvgResult
        Global weights and pooled loss after every round.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([0.0, 1.0, 1.0])
    >>> r = fedavg([(X[:1], y[:1]), (X[1:], y[1:])], np.zeros(2), rounds=1, lr=1.0)
    >>> r.w   # one local step, all clients: one gradient step on the pooled data
    array([0.16666667, 0.5       ])
    """
    clients = _clients(client_data)
    K, d = len(clients), clients[0].X.shape[1]
    try:
        w = np.array(w0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"w0 must be an array of numbers, got {w0!r}") from None
    if w.shape != (d,) or not np.all(np.isfinite(w)):
        raise ValueError(f"w0 must be finite with shape ({d},) to match the clients' features, got {w0!r}")
    rounds = _int(rounds, "rounds", 0)
    local_steps = _int(local_steps, "local_steps", 1)
    lr = _real(lr, "lr")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    client_fraction = _real(client_fraction, "client_fraction")
    if not 0 < client_fraction <= 1:
        raise ValueError(f"client_fraction must be in (0, 1], got {client_fraction}")
    if batch_size is not None:
        batch_size = _int(batch_size, "batch_size", 1)
    loss = models.logistic_loss if loss is None else loss
    grad = models.logistic_grad if grad is None else grad
    if not (callable(loss) and callable(grad)):
        raise TypeError("loss and grad must be callables (w, X, y) -> value / gradient")
    rng = _rng(seed)
    sizes = np.array([len(c.y) for c in clients], dtype=float)
    m = max(1, int(round(client_fraction * K)))

    def losses_of(weights: np.ndarray) -> np.ndarray:
        return np.array([loss(weights, c.X, c.y) for c in clients], dtype=float)

    ws, client_losses, selected = [w.copy()], [losses_of(w)], []
    with np.errstate(all="ignore"):
        for _ in range(rounds):
            chosen = np.arange(K) if m == K else np.sort(rng.choice(K, size=m, replace=False))
            local = np.empty((m, d))
            for row, k in enumerate(chosen):
                X, y = clients[k]
                wk = w.copy()
                for _ in range(local_steps):
                    if batch_size is not None and batch_size < len(y):
                        batch = rng.choice(len(y), size=batch_size, replace=False)
                        wk = wk - lr * np.asarray(grad(wk, X[batch], y[batch]), dtype=float)
                    else:
                        wk = wk - lr * np.asarray(grad(wk, X, y), dtype=float)
                local[row] = wk
            w = aggregate(local, sizes[chosen], weighted=weighted)
            ws.append(w.copy())
            client_losses.append(losses_of(w))
            selected.append(chosen)
    client_losses = np.array(client_losses)
    pooled_losses = client_losses @ (sizes / sizes.sum())   # mean over all examples
    return FedAvgResult(np.array(ws), pooled_losses, client_losses,
                        np.array(selected, dtype=int).reshape(rounds, m))
