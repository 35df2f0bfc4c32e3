r"""The momentum explorer (chapter 05), in the spirit of Goh's "Why Momentum Really Works".

Sliders for the step size :math:`\alpha` and the momentum :math:`\beta`, a
Nesterov checkbox and a surface dropdown (an ill-conditioned quadratic,
Rosenbrock); the path of ``sgd(lr=α, momentum=β, nesterov=...)`` over the
contours, with plain gradient descent at the same step size for comparison,
and the loss curves. On a quadratic the status line puts the measured rate
(the factor by which the distance to the minimum shrinks per step) next to the
theory, the spectral radius of the momentum iteration (:func:`momentum_rate`).

**The start point is set by clicking on the contour plot** when the figure is
live (ipympl, ``%matplotlib widget``): the canvas's ``button_press_event``
calls :meth:`MomentumExplorer.on_click`. Under the inline backend (nbconvert,
a static export) a figure cannot be clicked, so the start comes from the
``x₀``/``y₀`` sliders or the ``x0=`` argument instead, exactly as in the
learning-rate explorer.

Like every explorer it is made of plain parts (``controls``, ``fig``,
``artists``, ``update(**values)``) on :class:`~gdlearn.widgets.explorers.Explorer`:
the contours are drawn once and each change blits the moving artists; errors
and diverging runs are shown as a message, never a traceback::

    from gdlearn.widgets.momentum import momentum_explorer
    ex = momentum_explorer()
    ex                                   # sliders, figure, status
    ex.update(momentum=0.9, nesterov=True)
    ex.status_text
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np

from .. import plotting, style
from .. import surfaces as _surfaces
from ..optim import sgd
from ..run import run
from .explorers import _RED, Explorer, _int, _lower_log_floor, _real, _surface_dict

__all__ = ["MomentumExplorer", "momentum_explorer", "momentum_rate"]


def momentum_rate(lr: float, momentum: float, eigenvalues: Any, nesterov: bool = False) -> float:
    r"""The asymptotic contraction factor per step of momentum on a quadratic.

    On :math:`f(x) = \tfrac12 x^\top A x` each eigen-direction of :math:`A`
    (eigenvalue :math:`\lambda`) follows a two-term recurrence whose
    characteristic polynomial is

    .. math::
        z^2 - (1 + \beta - \alpha\lambda)\, z + \beta
        \quad\text{(heavy ball)}, \qquad
        z^2 - (1 + \beta)(1 - \alpha\lambda)\, z + \beta (1 - \alpha\lambda)
        \quad\text{(Nesterov)}.

    The rate is the largest modulus of a root over all eigenvalues: the
    distance to the minimum shrinks like :math:`\rho^k` (times a polynomial in
    :math:`k` at a double root); :math:`\rho \ge 1` means no convergence.
    With :math:`\beta = 0` it is gradient descent's :math:`\max_i |1 - \alpha\lambda_i|`.

    Introduced in chapter 05.

    Parameters
    ----------
    lr : float
        The step size :math:`\alpha > 0` (torch's ``lr``).
    momentum : float
        :math:`\beta \in [0, 1)`.
    eigenvalues : array_like
        The eigenvalues of :math:`A` (for a 2-D quadratic, ``(mu, L)``).
    nesterov : bool
        Nesterov's look-ahead (torch's ``nesterov=True``).

    Returns
    -------
    float

    Examples
    --------
    >>> kappa = 100.0                                  # mu = 1, L = 100
    >>> lr, beta = 4 / (1 + math.sqrt(kappa)) ** 2, ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    >>> round(momentum_rate(lr, beta, [1.0, kappa]), 6)   # (sqrt(kappa) - 1) / (sqrt(kappa) + 1) = 9/11
    0.818182
    >>> round(momentum_rate(2 / 101, 0.0, [1.0, kappa]), 6)  # plain GD at its best: 99/101
    0.980198
    """
    lr = _real("lr", lr, positive=True)
    beta = _real("momentum", momentum)
    if not 0 <= beta < 1:
        raise ValueError(f"momentum must be in [0, 1), got {beta}")
    lam = np.asarray(eigenvalues, dtype=float).reshape(-1)
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be a non-empty array of finite numbers, got {eigenvalues!r}")
    if nesterov:
        c = 1.0 - lr * lam
        b, p = (1.0 + beta) * c, beta * c
    else:
        b, p = 1.0 + beta - lr * lam, np.full_like(lam, beta)
    root = np.sqrt((b * b - 4.0 * p).astype(complex))
    return float(np.max(np.maximum(np.abs(b + root), np.abs(b - root))) / 2.0)


def _stability_limit(momentum: float, nesterov: bool, L: float) -> tuple[float, str]:
    """Largest stable step size on a quadratic with top eigenvalue L, and its formula."""
    if momentum == 0:
        return 2.0 / L, "2/L"
    if nesterov:
        return 2.0 * (1 + momentum) / ((1 + 2 * momentum) * L), "2(1+β)/((1+2β)L)"
    return 2.0 * (1 + momentum) / L, "2(1+β)/L"


def _optimal(s: Any) -> tuple[float, float] | None:
    """Polyak's optimal heavy-ball (α*, β*) for a surface with constant L and mu, else None."""
    L, mu = getattr(s, "L", None), getattr(s, "mu", None)
    if not (L and mu):
        return None
    sq = math.sqrt(L / mu)
    return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, ((sq - 1) / (sq + 1)) ** 2


def _measured_rate(xs: np.ndarray, x_star: np.ndarray) -> float | None:
    """Factor per step by which the distance to x* shrank over the second half of a run."""
    d = np.linalg.norm(xs - x_star, axis=1)
    end = len(d) - 1
    mid = end // 2
    if end - mid < 2 or not (d[mid] > 0 and d[end] > 0):
        return None
    return float((d[end] / d[mid]) ** (1.0 / (end - mid)))


@functools.lru_cache(maxsize=16)
def _padded(s: Any) -> Any:
    """`s` with its domain widened by a quarter of its span on each side, as far as
    the contour panel may widen (:meth:`MomentumExplorer._fit_path`), so that the
    contours fill the panel whatever part of that range it shows."""
    if not dataclasses.is_dataclass(s):
        return s
    wide = tuple((low - 0.25 * (high - low), high + 0.25 * (high - low)) for low, high in s.domain)
    return dataclasses.replace(s, domain=wide)


def _default_surfaces() -> dict[str, Any]:
    return {"quadratic (κ = 100)": _surfaces.quadratic(100.0), "rosenbrock": _surfaces.rosenbrock}


class MomentumExplorer(Explorer):
    """Momentum (heavy ball or Nesterov) on a 2-D surface: α and β sliders, a clickable start.

    Left: contours, the momentum path and plain gradient descent with the same
    step size (faint); right: both loss curves, and on a quadratic the
    theoretical decay :math:`\\rho^{2k}` (dashed). See :func:`momentum_explorer`.
    """

    def __init__(self, surfaces: Any = None, lr: float | None = None, momentum: float | None = None,
                 nesterov: bool = False, steps: int = 300, *, x0: Sequence[float] | None = None,
                 compare: bool = True, figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.surfaces = _surface_dict(_default_surfaces() if surfaces is None else surfaces)
        if not isinstance(compare, (bool, np.bool_)):
            raise TypeError(f"compare must be True or False, got {compare!r}")
        self.compare = bool(compare)
        name = next(iter(self.surfaces))
        s = self.surfaces[name]
        default_lr, default_beta = self._defaults(s)
        start = np.asarray(s.start if x0 is None else x0, dtype=float).reshape(-1)
        if start.shape != (2,):
            raise ValueError(f"x0 must be a point (x, y), got {x0!r}")
        self.trace = None
        self.gd_trace = None
        self.rate_theory: float | None = None
        self.rate_measured: float | None = None
        self._gd_key = None
        self._contours: plotting.ContourArtists | None = None
        self._background_key = None
        self._ylim_surface = None
        self.values = self._validate(dict(
            surface=name, lr=default_lr if lr is None else lr,
            momentum=default_beta if momentum is None else momentum, nesterov=nesterov,
            x0=float(start[0]), y0=float(start[1]), steps=steps))
        self._build_controls()
        self._build_figure(figsize or style.FIGSIZE["wide"])
        self._connect()
        self.update()
        if self.error is not None:
            raise self.error

    @staticmethod
    def _defaults(s: Any) -> tuple[float, float]:
        """A good (α, β) to start from: Polyak's optimum on a quadratic, else (1e-3, 0.9)."""
        best = _optimal(s)
        return best if best is not None else (1e-3, 0.9)

    # -- parts
    def _build_controls(self) -> None:
        v, d = self.values, style.SLIDER_DEFAULTS
        common = dict(style=d["style"], continuous_update=d["continuous_update"])
        (a0, a1), (b0, b1) = self.surfaces[v["surface"]].domain
        lr_kw = dict(d["lr"])
        lr_kw["min"] = min(lr_kw["min"], math.floor(math.log10(v["lr"])))
        lr_kw["max"] = max(lr_kw["max"], math.ceil(math.log10(v["lr"])))
        coord = d["coordinate"]
        self.controls = {
            "surface": widgets.Dropdown(options=list(self.surfaces), value=v["surface"],
                                        description="surface", style=d["style"]),
            "lr": widgets.FloatLogSlider(value=v["lr"], description="step size α", **lr_kw, **common),
            "momentum": widgets.FloatSlider(value=v["momentum"], description="momentum β",
                                            **d["momentum"], **common),
            "nesterov": widgets.Checkbox(value=v["nesterov"], description="Nesterov", indent=False),
            "x0": widgets.FloatSlider(value=v["x0"], min=a0, max=a1, description="x₀", **coord, **common),
            "y0": widgets.FloatSlider(value=v["y0"], min=b0, max=b1, description="y₀", **coord, **common),
            "steps": widgets.IntSlider(value=v["steps"], description="steps",
                                       **{**d["steps"], "max": max(d["steps"]["max"], v["steps"])},
                                       **common),
        }

    def _build_figure(self, figsize: tuple[float, float]) -> None:
        fig = self.fig = plotting.new_figure(figsize)
        ax, lax = fig.subplots(1, 2, width_ratios=[1, 1])
        self.ax, self.loss_ax = ax, lax
        gd_color = style.color_for("gd")
        (gd_path,) = ax.plot([], [], color=gd_color, linewidth=1.2, alpha=0.55, zorder=3,
                             label="gd (β = 0)")
        path = plotting.plot_path(np.zeros((1, 2)), ax=ax, color=style.color_for("momentum"),
                                  label="momentum", legend=False)
        # in the loss panel, upper right (above a falling loss curve; the legend goes lower left):
        # over the map, every corner hides part of some path
        msg = lax.text(0.98, 0.98, "", transform=lax.transAxes, va="top", ha="right", fontsize=8,
                      zorder=10, bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0))
        (gd_loss,) = lax.plot([], [], color=gd_color, linewidth=1.2, alpha=0.55, label="gd (β = 0)")
        (loss,) = lax.plot([], [], color=style.color_for("momentum"), linewidth=1.8, label="momentum")
        (theory,) = lax.plot([], [], color="black", linewidth=1, linestyle="--",
                             label=r"theory: slope $\rho^{2k}$")
        lax.set_xlabel("step $k$")
        lax.set_title("Loss")
        # Moving text is slow to render, so the status label carries the numbers; the
        # message box shows only the divergence message (or, static display, a summary).
        self.artists = {"path": path.line, "start": path.start, "end": path.end, "gd_path": gd_path,
                        "loss": loss, "gd_loss": gd_loss, "theory": theory, "message": msg}
        for a in self.artists.values():
            a.set_animated(True)

    def _connect_canvas(self) -> None:
        super()._connect_canvas()
        self.fig.canvas.mpl_connect("button_press_event", self.on_click)

    def on_click(self, event: Any) -> None:
        """Start from where the contour plot was clicked (ipympl's ``button_press_event``).

        Ignores clicks outside the contour axes, with another button than the left
        one, or while the toolbar's pan/zoom mode is on. Any object with
        ``inaxes``, ``xdata`` and ``ydata`` (and optionally ``button``) will do,
        which is how the tests click.
        """
        if getattr(event, "inaxes", None) is not self.ax:
            return
        x, y = getattr(event, "xdata", None), getattr(event, "ydata", None)
        if x is None or y is None:
            return
        if getattr(event, "button", 1) not in (1, None):  # MouseButton.LEFT == 1
            return
        toolbar = getattr(self.fig.canvas, "toolbar", None)
        if getattr(toolbar, "mode", ""):  # panning or zooming, not choosing a start
            return
        with self.captured():
            self.update(x0=float(x), y0=float(y))

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        if v["surface"] not in self.surfaces:
            raise ValueError(f"surface must be one of {list(self.surfaces)}, got {v['surface']!r}")
        beta = _real("momentum", v["momentum"])
        if not 0 <= beta < 1:
            raise ValueError(f"momentum β must be in [0, 1), got {beta}")
        if not isinstance(v["nesterov"], (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {v['nesterov']!r}")
        return dict(surface=v["surface"], lr=_real("lr", v["lr"], positive=True), momentum=beta,
                    nesterov=bool(v["nesterov"]), x0=_real("x0", v["x0"]), y0=_real("y0", v["y0"]),
                    steps=_int("steps", v["steps"], 1, 100_000))

    def _prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new surface brings its own start and a good (α, β), unless they are given too."""
        name = values.get("surface")
        if name in self.surfaces and name != self.values.get("surface"):
            s = self.surfaces[name]
            start = np.asarray(s.start, dtype=float)
            lr, beta = self._defaults(s)
            for key, value in (("x0", start[0]), ("y0", start[1]), ("lr", lr), ("momentum", beta)):
                values.setdefault(key, float(value))
        return values

    # -- drawing
    def _set_background(self, s: Any, nesterov: bool) -> None:
        """Contours, colours and legends: the static parts (a full redraw, rare)."""
        if self._contours is None or self._background_key[0] is not s:
            if self._contours is not None:
                for a in self._contours:
                    if a is not None:
                        a.remove()
            # contours over the widest view `_fit_path` may open, then the panel back to the domain
            self._contours = plotting.plot_contours(_padded(s), ax=self.ax, levels=30, title=s.name)
            self.ax.set_xlim(*s.domain[0])
            self.ax.set_ylim(*s.domain[1])
        a = self.artists
        name = "nesterov" if nesterov else "momentum"
        color = style.color_for(name)
        for key in ("path", "loss"):
            a[key].set_color(color)
            a[key].set_label("Nesterov" if nesterov else "heavy ball")
        a["start"].set_markeredgecolor(color)
        a["end"].set_markerfacecolor(color)
        # legend entries copy their artist's visibility: list only what is shown
        a["theory"].set_visible(_optimal(s) is not None)
        a["gd_path"].set_visible(self.compare)
        a["gd_loss"].set_visible(self.compare)
        shown = [h for h in (self._contours.minima, a["path"], a["gd_path"]) if h is not None and h.get_visible()]
        self.ax.legend(handles=shown, loc="lower right", fontsize=8)
        shown = [h for h in (a["gd_loss"], a["loss"], a["theory"]) if h.get_visible()]
        self.loss_ax.legend(handles=shown, loc="lower left", fontsize=8)
        self._background_key = (s, nesterov)
        self._full_draw_needed = True

    def _fit_path(self, s: Any, xs: np.ndarray) -> None:
        """Widen the contour panel to show a path that swings outside it, at most 1.5 times the domain."""
        for i, (get, set_) in enumerate([(self.ax.get_xlim, self.ax.set_xlim), (self.ax.get_ylim, self.ax.set_ylim)]):
            low, high = s.domain[i]
            pad = 0.25 * (high - low)
            finite = xs[:, i][np.isfinite(xs[:, i])]
            if not finite.size:
                continue
            want = (max(min(float(finite.min()) - 0.05 * (high - low), low), low - pad),
                    min(max(float(finite.max()) + 0.05 * (high - low), high), high + pad))
            lo, hi = get()
            if want[0] < lo or want[1] > hi:
                set_(min(lo, want[0]), max(hi, want[1]))
                self._full_draw_needed = True

    def _loss_data(self, s: Any, fs: np.ndarray, steps: int) -> np.ndarray:
        """Loss values for the right panel; sets (only when needed) the static axis ranges."""
        lax = self.loss_ax
        f_star = plotting._f_star(s)
        if s is not self._ylim_surface:
            self._ylim_surface = s
            _, _, Z = plotting.surface_grid(s, 200)
            if f_star is None:
                lax.set_yscale("linear")
                lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
                lax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
                lax.set_ylabel("$f(x_k)$")
            else:
                lax.set_yscale("log")
                hi = 10.0 ** (math.ceil(math.log10(float(np.nanmax(Z)) - f_star)) + 3)
                lax.set_ylim(hi * 1e-15, hi)
                lax.set_ylabel(r"$f(x_k) - f^*$")
            self._full_draw_needed = True
        if lax.get_xlim() != (0.0, float(steps)):
            lax.set_xlim(0.0, float(steps))
            self._full_draw_needed = True
        if f_star is None:
            return fs
        y = fs - f_star
        if _lower_log_floor(lax, y):
            self._full_draw_needed = True
        with np.errstate(invalid="ignore"):
            return np.where(y > 0, y, np.nan)

    def _optimizer(self) -> Any:
        v = self.values
        if v["momentum"] == 0:  # β = 0 is gradient descent, with or without Nesterov
            return sgd(lr=v["lr"])
        return sgd(lr=v["lr"], momentum=v["momentum"], nesterov=v["nesterov"])

    def _gd_run(self, s: Any, x0: np.ndarray) -> Any:
        """Plain gradient descent at the same α: recomputed only when α, the start or the surface change."""
        v = self.values
        key = (v["surface"], v["lr"], v["x0"], v["y0"], v["steps"])
        if key != self._gd_key:
            self.gd_trace = run(sgd(lr=v["lr"]), s, x0, v["steps"])
            self._gd_key = key
        return self.gd_trace

    def _message(self, s: Any, trace: Any) -> str:
        v = self.values
        if trace.status == "diverged":
            L = getattr(s, "L", None)
            if L:
                limit, formula = _stability_limit(v["momentum"], v["nesterov"], L)
                if v["lr"] > limit:
                    return (f"diverged at step {trace.diverged_at}: α = {v['lr']:.3g} > "
                            f"{formula} = {limit:.3g}")
            return str(trace.message)
        return ""

    def _redraw(self) -> None:
        v = self.values
        s = self.surfaces[v["surface"]]
        if self._background_key != (s, v["nesterov"]):
            self._set_background(s, v["nesterov"])
        x0 = np.array([v["x0"], v["y0"]])
        trace = self.trace = run(self._optimizer(), s, x0, v["steps"])
        a = self.artists
        xs = trace.xs
        a["path"].set_data(xs[:, 0], xs[:, 1])
        self._fit_path(s, xs)
        a["start"].set_data(xs[:1, 0], xs[:1, 1])
        a["end"].set_data(xs[-1:, 0], xs[-1:, 1])
        a["end"].set_marker("X" if trace.status == "diverged" else style.END_STYLE["marker"])
        a["loss"].set_data(np.arange(len(trace.fs)), self._loss_data(s, trace.fs, v["steps"]))
        if self.compare:
            gd = self._gd_run(s, x0)
            a["gd_path"].set_data(gd.xs[:, 0], gd.xs[:, 1])
            a["gd_loss"].set_data(np.arange(len(gd.fs)), self._loss_data(s, gd.fs, v["steps"]))
        if self._static_display:  # a static picture: the step axis ends where the runs end
            shown = max(trace.steps, self.gd_trace.steps if self.compare else 0, 1)
            self.loss_ax.set_xlim(0.0, 1.03 * shown)

        # theory against measurement, where there is a theory: quadratics (constant L and mu)
        best = _optimal(s)
        method = "Nesterov" if v["nesterov"] and v["momentum"] > 0 else "heavy ball"
        if best is not None:
            rho = self.rate_theory = momentum_rate(v["lr"], v["momentum"], (s.mu, s.L),
                                                   v["nesterov"] and v["momentum"] > 0)
            self.rate_measured = _measured_rate(xs, plotting._minima(s)[0])
            # the slope to compare: rho^(2k) (the loss is quadratic in the distance),
            # drawn through the measured loss halfway along the run
            k = np.arange(v["steps"] + 1, dtype=float)
            mid = trace.steps // 2
            with np.errstate(all="ignore"):
                a["theory"].set_data(k, (trace.fs[mid] - plotting._f_star(s)) * rho ** (2 * (k - mid)))
            measured = "n/a" if self.rate_measured is None else f"{self.rate_measured:.3f}"
            rates = f"rate per step: measured {measured}, theory {rho:.3f}"
            best_text = (f"best heavy ball {math.sqrt(best[1]):.3f} at α* = {best[0]:.3g}, "
                         f"β* = {best[1]:.3g}")
        else:
            self.rate_theory = self.rate_measured = None
            rates = best_text = ""
        if self.compare:
            gd = self.gd_trace
            gd_text = (f"gd (β = 0), same α: diverged at step {gd.diverged_at}" if gd.status == "diverged"
                       else f"gd (β = 0), same α: {gd.status} after {gd.steps} steps")
        else:
            gd_text = ""

        message = self._message(s, trace)
        if message:
            lines = [message]
            a["message"].set_color(_RED)
            a["message"].set_visible(True)
        else:
            lines = [f"{method}, α = {v['lr']:.3g}, β = {v['momentum']:.2f}: {trace.status} "
                     f"after {trace.steps} steps, f = {trace.f:.3g}"]
            a["message"].set_color("black")
            a["message"].set_visible(self._static_display)
        # the figure's box, seen in static exports: short lines; the status line: everything
        if message:
            box = [message]
        else:
            box = [f"{method}, α = {v['lr']:.3g}, β = {v['momentum']:.2f}",
                   f"{trace.status} after {trace.steps} steps"]
        if self._static_display:
            box += [t for t in (gd_text, rates) if t]
        a["message"].set_text("\n".join(box))
        status = " | ".join(t for t in (lines[0], gd_text, rates) if t)
        if best_text:
            status += f" ({best_text})"
        self._set_status(status, _RED if message else None)


def momentum_explorer(surfaces: Any = None, lr: float | None = None, momentum: float | None = None,
                      nesterov: bool = False, steps: int = 300, *, x0: Sequence[float] | None = None,
                      compare: bool = True,
                      figsize: tuple[float, float] | None = None) -> MomentumExplorer:
    r"""Explore momentum: step size α, momentum β, Nesterov, and a start you click (chapter 05).

    Runs ``gdlearn.optim.sgd(lr=α, momentum=β, nesterov=...)`` (torch's form:
    :math:`b \leftarrow \beta b + \nabla f(x)`, :math:`x \leftarrow x - \alpha b`).

    With ipympl (``%matplotlib widget``) **click on the contour plot to set the
    start**. Under the inline backend the figure is a static picture: use the
    ``x₀``/``y₀`` sliders or the ``x0`` argument.

    Parameters
    ----------
    surfaces : None, Surface, list or dict, optional
        Surfaces in the dropdown. Default: the quadratic with κ = 100
        (``gdlearn.surfaces.quadratic(100)``) and Rosenbrock.
    lr, momentum : float, optional
        Initial α and β. Default: on a quadratic, Polyak's optimum
        :math:`\alpha^\star = 4/(\sqrt L + \sqrt\mu)^2`,
        :math:`\beta^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`; elsewhere
        α = 1e-3, β = 0.9. Choosing another surface in the dropdown switches to
        that surface's defaults (and its start point).
    nesterov : bool
        Nesterov's look-ahead (ignored when β = 0: that is gradient descent).
    steps : int
        Step budget of each run.
    x0 : (2,) array, optional
        Start point (default: the surface's ``start``).
    compare : bool
        Also draw plain gradient descent with the same step size.

    Returns
    -------
    MomentumExplorer
        Display it in a notebook; drive it with ``.update(lr=..., momentum=...,
        nesterov=..., x0=..., y0=..., steps=..., surface=...)``. After each update
        ``.trace`` holds the run and, on a quadratic, ``.rate_measured`` and
        ``.rate_theory`` the factors per step.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ex = momentum_explorer(figsize=(6, 3))
    >>> ex.trace.status, round(ex.rate_theory, 4)      # Polyak's optimum on kappa = 100: 9/11
    ('converged', 0.8182)
    >>> abs(ex.rate_measured / ex.rate_theory - 1) < 0.03
    True
    >>> from types import SimpleNamespace
    >>> ex.on_click(SimpleNamespace(inaxes=ex.ax, xdata=1.0, ydata=-2.0, button=1))
    >>> ex.values["x0"], ex.values["y0"], ex.controls["y0"].value
    (1.0, -2.0, -2.0)
    >>> ex.update(lr=0.05)
    >>> ex.status_text.split(" | ")[0]
    'diverged at step 5: α = 0.05 > 2(1+β)/L = 0.0334'
    >>> ex.update(momentum=1.5)      # shown under the widget, not raised
    >>> ex.status_text
    '⚠ ValueError: momentum β must be in [0, 1), got 1.5'
    >>> ex.close()
    """
    return MomentumExplorer(surfaces, lr, momentum, nesterov, steps, x0=x0, compare=compare,
                            figsize=figsize)
