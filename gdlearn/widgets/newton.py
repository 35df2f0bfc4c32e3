r"""Newton's method against gradient descent, step by step (chapter 08).

A step slider (with a Play button) walks both methods forward together on a 2-D
surface: Newton's path (pure, or damped with a line search) and gradient
descent's path over the contours, and, at Newton's current iterate
:math:`x_k`, the **local quadratic model** that Newton minimizes,

.. math:: m_k(p) = f(x_k) + \nabla f(x_k)^\top p + \tfrac12\, p^\top \nabla^2 f(x_k)\, p ,

drawn as its own contour lines (dashed) with its stationary point
:math:`x_k - \nabla^2 f(x_k)^{-1} \nabla f(x_k)` marked: the point pure Newton jumps
to. Where the Hessian is indefinite the model's contours are hyperbolas and the
marked point is a saddle of the model; where it is negative definite they are
ellipses around the model's maximum: the explorer says so in its status line. The right panel shows the errors of both
methods on a log scale, :math:`f(x_k) - f^\star` (values below ``ERROR_FLOOR`` = 1e-16,
exact zeros included, are drawn at the floor).

Built on :class:`~gdlearn.widgets.explorers.Explorer`: the contours are drawn
once, a change of step moves the artists (blitting), a bad value or a failed
run is a message, never a traceback, and without ipympl the explorer shows a
static figure::

    from gdlearn.widgets.newton import newton_explorer
    ex = newton_explorer()
    ex                                     # Play, step slider, surface, start, damped, GD rate
    ex.update(surface="himmelblau", step=3)
    ex.status_text
"""
from __future__ import annotations

import math
import textwrap
from typing import Any, Sequence

import contourpy
import ipywidgets as widgets
import numpy as np

from .. import plotting, style
from .. import surfaces as _surfaces
from ..optim import sgd
from ..run import run
from ..second_order import newton
from .explorers import _RED, Explorer, _int, _real, _surface_dict

__all__ = ["NewtonExplorer", "newton_explorer", "taylor_model_lines"]

#: Heights of the model's contour lines, as multiples of |f(x_k) - m*| above (and below)
#: the model's stationary value m* (see taylor_model_lines).
MODEL_LEVELS = (0.1, 0.35, 0.7, 1.0, 1.6)
_MODEL_GRID = 70
#: The bottom of the error axis: smaller errors (and exact zeros) are drawn there.
ERROR_FLOOR = 1e-16


def _default_surfaces() -> dict[str, Any]:
    return {"quadratic (κ = 20)": _surfaces.quadratic(20.0, angle=math.pi / 6),
            "rosenbrock": _surfaces.rosenbrock, "himmelblau": _surfaces.himmelblau}


def _gd_default_lr(s: Any) -> float:
    """A learning rate gradient descent tolerates: 1/L where L is known, else a safe small one."""
    L = getattr(s, "L", None)
    if L:
        return 1.0 / L
    return {"Rosenbrock": 1e-3, "Himmelblau": 0.01}.get(getattr(s, "name", ""), 1e-3)


def taylor_model_lines(surface: Any, x: Any, *, resolution: int = _MODEL_GRID,
                       levels: Sequence[float] = MODEL_LEVELS) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    r"""Contour lines of the second-order Taylor model of ``surface`` at ``x``, over its domain.

    The model is :math:`m(z) = f(x) + g^\top (z - x) + \tfrac12 (z - x)^\top H (z - x)`
    with :math:`g, H` the gradient and Hessian at ``x``. Its stationary point is
    :math:`z^\star = x - H^{-1} g` (``None`` when :math:`H` is singular) with value
    :math:`m^\star`; the levels are :math:`m^\star \pm c\,\Delta` for ``c`` in ``levels``,
    with :math:`\Delta = |f(x) - m^\star|` (or more, so that the lines are visible), and
    :math:`f(x)` itself: one line passes through ``x``.

    Returns
    -------
    (lines, z_star, level_values)
        ``lines`` is an (n, 2) array of points, separate lines split by rows of
        ``nan`` (ready for ``Line2D.set_data``).

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn.surfaces import quadratic
    >>> lines, z_star, lv = taylor_model_lines(quadratic(4), np.array([1.0, 1.0]))
    >>> z_star                                    # a quadratic is its own model: the minimum
    array([0., 0.])
    >>> bool(np.any(np.all(np.isclose(lines, [1.0, 1.0], atol=0.05), axis=1)))   # a line through x
    True
    """
    x = np.asarray(x, dtype=float).reshape(2)
    fx = float(np.asarray(surface.f(x)).reshape(-1)[0])
    g = np.asarray(surface.grad(x), dtype=float).reshape(2)
    H = np.asarray(surface.hess(x), dtype=float).reshape(2, 2)
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    dx, dy = X - x[0], Y - x[1]
    Z = fx + g[0] * dx + g[1] * dy + 0.5 * (H[0, 0] * dx * dx + 2 * H[0, 1] * dx * dy + H[1, 1] * dy * dy)
    eig = np.linalg.eigvalsh(H)
    size = float(np.max(np.abs(eig)))
    base = np.asarray(levels, dtype=float)
    if size > 0 and float(np.min(np.abs(eig))) > 1e-12 * size:
        p = np.linalg.solve(H, -g)
        z_star = x + p
        m_star = fx + 0.5 * float(g @ p)
        # Spacing: |f(x) - m*|, but at least enough for the innermost line to be visible (its
        # smallest half-axis sqrt(2 * 0.1 * delta / |lambda|max) is 3% of the domain).
        width = max(x_hi - x_lo, y_hi - y_lo)
        delta = max(abs(fx - m_star), 0.0045 * size * width ** 2)
        lv = np.concatenate([m_star - delta * base[::-1], m_star + delta * base, [fx]])
    else:                                          # no single stationary point: lines across the slope
        z_star = None
        width = max(x_hi - x_lo, y_hi - y_lo)
        delta = max(float(np.linalg.norm(g)) * 0.1 * width, 1e-12)
        lv = np.concatenate([fx - delta * base[::-1], [fx], fx + delta * base])
    gen = contourpy.contour_generator(X, Y, Z, line_type="ChunkCombinedNan")
    pieces = []
    for level in lv:
        for chunk in gen.lines(float(level))[0]:
            if chunk is not None and len(chunk):
                pieces.append(chunk)
                pieces.append(np.full((1, 2), np.nan))
    lines = np.concatenate(pieces) if pieces else np.empty((0, 2))
    return lines, z_star, lv


class NewtonExplorer(Explorer):
    """Newton's method and gradient descent side by side, one step at a time.

    See :func:`newton_explorer`.
    """

    def __init__(self, surfaces: Any = None, steps: int = 40, *, damped: bool = False,
                 lr: float | None = None, x0: Sequence[float] | None = None, interval: int = 600,
                 figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.surfaces = _surface_dict(_default_surfaces() if surfaces is None else surfaces)
        self.n_steps = _int("steps", steps, 1, 10_000)
        name = next(iter(self.surfaces))
        s = self.surfaces[name]
        start = np.asarray(s.start if x0 is None else x0, dtype=float).reshape(-1)
        if start.shape != (2,):
            raise ValueError(f"x0 must be a point (x, y), got {x0!r}")
        self.newton_trace = None
        self.gd_trace = None
        self._runs_key = None
        self._background_key = None
        self._model_key = None
        self.model_center: np.ndarray | None = None
        self.values = self._validate(dict(surface=name, step=0, x0=float(start[0]), y0=float(start[1]),
                                          damped=damped, lr=_gd_default_lr(s) if lr is None else lr))
        self._build_controls(_int("interval", interval, 1, 10_000))
        self._build_figure(figsize or style.FIGSIZE["wide"])
        self._start()

    # -- parts
    def _build_controls(self, interval: int) -> None:
        v, d = self.values, style.SLIDER_DEFAULTS
        common = dict(style=d["style"], continuous_update=d["continuous_update"])
        (a0, a1), (b0, b1) = self.surfaces[v["surface"]].domain
        lr_kw = dict(d["lr"])
        lr_kw["min"] = min(lr_kw["min"], math.floor(math.log10(v["lr"])))
        lr_kw["max"] = max(lr_kw["max"], math.ceil(math.log10(v["lr"])))
        coord = d["coordinate"]
        self.play = widgets.Play(value=0, min=0, max=self.n_steps, step=1, interval=interval,
                                 description="play")
        self.controls = {
            "surface": widgets.Dropdown(options=list(self.surfaces), value=v["surface"],
                                        description="surface", style=d["style"]),
            "step": widgets.IntSlider(value=0, min=0, max=self.n_steps, description="step k", **common),
            "damped": widgets.Checkbox(value=v["damped"], description="damped Newton (line search)",
                                       indent=False),
            "lr": widgets.FloatLogSlider(value=v["lr"], description="GD learning rate", **lr_kw, **common),
            "x0": widgets.FloatSlider(value=v["x0"], min=a0, max=a1, description="x₀", **coord, **common),
            "y0": widgets.FloatSlider(value=v["y0"], min=b0, max=b1, description="y₀", **coord, **common),
        }
        self.link = widgets.jslink((self.play, "value"), (self.controls["step"], "value"))

    def _control_box(self) -> widgets.Widget:
        c = self.controls
        return widgets.VBox([
            widgets.HBox([self.play, c["step"], c["surface"]], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([c["damped"], c["lr"], c["x0"], c["y0"]], layout=widgets.Layout(flex_flow="row wrap")),
        ])

    def _build_figure(self, figsize: tuple[float, float]) -> None:
        fig = self.fig = plotting.new_figure(figsize)
        ax, lax = fig.subplots(1, 2, width_ratios=[1.15, 1])
        self.ax, self.error_ax = ax, lax
        newton_color, gd_color = style.color_for("newton"), style.color_for("gd")
        self._contours = None
        (model,) = ax.plot([], [], color=style.PALETTE["vermillion"], linewidth=1.0, linestyle="--",
                           alpha=0.9, zorder=3, label="quadratic model at $x_k$")
        (model_center,) = ax.plot([], [], marker="P", markersize=11, color=style.PALETTE["vermillion"],
                                  markeredgecolor="black", linestyle="none", zorder=8,
                                  label="model's stationary point")
        (gd_path,) = ax.plot([], [], color=gd_color, marker="o", markersize=3, linewidth=1.4, zorder=4,
                             label="gradient descent")
        (gd_now,) = ax.plot([], [], marker="o", markersize=9, color=gd_color, markeredgecolor="black",
                            linestyle="none", zorder=7)
        (newton_path,) = ax.plot([], [], color=newton_color, marker="h", markersize=4, linewidth=1.8,
                                 zorder=5, label="Newton")
        (newton_now,) = ax.plot([], [], marker="h", markersize=11, color=newton_color,
                                markeredgecolor="white", linestyle="none", zorder=9)
        start = ax.plot([], [], markeredgecolor="black", **style.START_STYLE)[0]
        # the status box sits in the error panel's top right, which the falling errors leave empty
        msg = lax.text(0.98, 0.98, "", transform=lax.transAxes, va="top", ha="right", fontsize=8, zorder=10,
                      bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0))
        (gd_err,) = lax.plot([], [], color=gd_color, marker="o", markersize=3, label="gradient descent")
        (newton_err,) = lax.plot([], [], color=newton_color, marker="h", markersize=4, label="Newton")
        (now_line,) = lax.plot([], [], color="#888888", linewidth=0.8, linestyle=":")
        lax.set_yscale("log")
        lax.set_xlabel("step $k$")
        lax.set_title("Error (log scale)")
        self.artists = {"model": model, "model_center": model_center, "gd_path": gd_path, "gd_now": gd_now,
                        "newton_path": newton_path, "newton_now": newton_now, "start": start,
                        "gd_err": gd_err, "newton_err": newton_err, "now_line": now_line, "message": msg}

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        if v["surface"] not in self.surfaces:
            raise ValueError(f"surface must be one of {list(self.surfaces)}, got {v['surface']!r}")
        if not isinstance(v["damped"], (bool, np.bool_)):
            raise TypeError(f"damped must be True or False, got {v['damped']!r}")
        return dict(surface=v["surface"], step=_int("step", v["step"], 0, self.n_steps),
                    x0=_real("x0", v["x0"]), y0=_real("y0", v["y0"]), damped=bool(v["damped"]),
                    lr=_real("lr", v["lr"], positive=True))

    def _prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new surface brings its own start and GD learning rate, unless they are given too."""
        name = values.get("surface")
        if name in self.surfaces and name != self.values.get("surface"):
            s = self.surfaces[name]
            for key, value in (("x0", s.start[0]), ("y0", s.start[1]), ("lr", _gd_default_lr(s))):
                values.setdefault(key, float(value))
        return values

    # -- computing
    def _errors(self, s: Any, fs: np.ndarray) -> np.ndarray:
        """f(x_k) - f*, drawn at the axis floor ERROR_FLOOR when smaller (exact zeros too)."""
        f_star = plotting._f_star(s)
        y = np.asarray(fs, dtype=float) - (0.0 if f_star is None else f_star)
        if f_star is None:          # no known minimum: f itself, where positive
            with np.errstate(invalid="ignore"):
                return np.where(y > 0, y, np.nan)
        return np.maximum(y, ERROR_FLOOR)

    def _runs(self, s: Any) -> None:
        v = self.values
        key = (v["surface"], v["x0"], v["y0"], v["damped"], v["lr"])
        if key == self._runs_key:
            return
        x0 = np.array([v["x0"], v["y0"]])
        self.newton_trace = newton(s, x0, damped=v["damped"], tol=1e-10, max_iter=self.n_steps)
        self.gd_trace = run(sgd(lr=v["lr"]), s, x0, self.n_steps, tol=1e-10)
        self._newton_err = self._errors(s, self.newton_trace.fs)
        self._gd_err = self._errors(s, self.gd_trace.fs)
        self._runs_key = key
        self._model_key = None

    def _set_background(self, s: Any) -> None:
        """Contours, axis ranges and the legend: the static parts (a full redraw, rare)."""
        if self._contours is not None:
            for part in self._contours:
                if part is not None:
                    part.remove()
        self._contours = plotting.plot_contours(s, ax=self.ax, title=s.name)
        if self._contours.minima is not None:   # on top of Newton's end marker, which often sits on it
            self._contours.minima.set(zorder=10, markersize=20, markerfacecolor="none", markeredgewidth=1.8)
        a = self.artists
        lax = self.error_ax
        handles = [h for h in (a["newton_path"], a["gd_path"], a["model"], a["model_center"],
                               self._contours.minima) if h is not None]
        lax.legend(handles=handles, loc="center right", fontsize=8,
                   title="paths (left) and errors (right);\nmodel and minima: left panel", title_fontsize=7)
        _, _, Z = plotting.surface_grid(s, 100)
        f_star = plotting._f_star(s)
        top = float(np.nanmax(Z)) - (0.0 if f_star is None else f_star)
        lax.set_ylim(ERROR_FLOOR / 2, 10.0 ** (math.ceil(math.log10(max(top, 1e-12))) + 2))
        lax.set_xlim(-0.5, self.n_steps + 0.5)
        lax.set_ylabel(r"$f(x_k) - f^*$" if f_star is not None else "$f(x_k)$")
        self._background_key = s
        self._full_draw_needed = True

    def _redraw(self) -> None:
        v = self.values
        s = self.surfaces[v["surface"]]
        if self._background_key is not s:
            self._set_background(s)
        self._runs(s)
        nt, gt = self.newton_trace, self.gd_trace
        k = v["step"]
        kn, kg = min(k, nt.steps), min(k, gt.steps)
        a = self.artists
        a["newton_path"].set_data(nt.xs[: kn + 1, 0], nt.xs[: kn + 1, 1])
        a["newton_now"].set_data(nt.xs[kn: kn + 1, 0], nt.xs[kn: kn + 1, 1])
        a["gd_path"].set_data(gt.xs[: kg + 1, 0], gt.xs[: kg + 1, 1])
        a["gd_now"].set_data(gt.xs[kg: kg + 1, 0], gt.xs[kg: kg + 1, 1])
        a["start"].set_data([v["x0"]], [v["y0"]])
        a["newton_err"].set_data(np.arange(kn + 1), self._newton_err[: kn + 1])
        a["gd_err"].set_data(np.arange(kg + 1), self._gd_err[: kg + 1])
        a["now_line"].set_data([k, k], self.error_ax.get_ylim())   # not beyond: dots cost time
        if self._static_display:   # a static picture shows steps 0..k only: fit the step axis to them
            self.error_ax.set_xlim(-0.5, max(k, 1) + 0.5)

        # the quadratic model at Newton's current iterate (recomputed only when that iterate changes)
        xk = nt.xs[kn]
        model_key = (self._runs_key, kn)
        if model_key != self._model_key:
            lines, center, _ = taylor_model_lines(s, xk)
            self.model_center = center
            self._model_kind = self._kind(s, xk)
            a["model"].set_data(lines[:, 0], lines[:, 1])
            if center is None:
                a["model_center"].set_data([], [])
            else:
                a["model_center"].set_data([center[0]], [center[1]])
            self._model_key = model_key
        self._status(s, k, kn, kg)

    @staticmethod
    def _kind(s: Any, x: np.ndarray) -> str:
        eig = np.linalg.eigvalsh(np.asarray(s.hess(x), dtype=float).reshape(2, 2))
        size = float(np.max(np.abs(eig)))
        if size == 0 or float(np.min(np.abs(eig))) <= 1e-12 * size:
            return "singular"
        if eig.min() > 0:
            return "minimum"
        return "maximum" if eig.max() < 0 else "saddle"

    def _status(self, s: Any, k: int, kn: int, kg: int) -> None:
        v = self.values
        nt, gt = self.newton_trace, self.gd_trace
        method = "damped Newton" if v["damped"] else "Newton"

        f_star = plotting._f_star(s)

        def err(fs: np.ndarray, i: int) -> str:
            return f"{fs[i] - (0.0 if f_star is None else f_star):.2g}"

        what = "f" if f_star is None else "f − f*"
        parts = [f"step {k}: {method} {what} = {err(nt.fs, kn)}, "
                 f"gradient descent {what} = {err(gt.fs, kg)}"]
        alarm = False
        if k >= nt.steps:
            if nt.status == "converged":
                parts.append(f"{method} converged at step {nt.steps}")
            else:
                parts.append(f"{method}: {nt.message}")
                alarm = nt.status not in ("max_steps",)
        else:
            kind = self._model_kind
            if kind == "saddle":
                parts.append("the Hessian at x_k is indefinite: the model has a saddle, not a minimum")
            elif kind == "maximum":
                parts.append("the Hessian at x_k is negative definite: the model has a maximum")
            elif kind == "singular":
                parts.append("the Hessian at x_k is singular: the model has no single stationary point "
                             "(none, or a whole line of them), so Newton's step is not defined")
            if kind != "minimum" and v["damped"]:
                parts[-1] += "; damped Newton adds a multiple of I and searches along a descent direction"
        if gt.status == "diverged" and k >= gt.steps:
            parts.append(f"gradient descent {gt.message}")
            alarm = True
        text = " | ".join(parts)
        self._set_status(text, _RED if alarm else None)
        box = [line for p in parts for line in textwrap.wrap(p, 75)]
        msg = self.artists["message"]
        msg.set_text("\n".join(box if self._static_display else box[1:]))
        msg.set_color(_RED if alarm else "black")
        msg.set_visible(self._static_display or alarm)


def newton_explorer(surfaces: Any = None, steps: int = 40, *, damped: bool = False, lr: float | None = None,
                    x0: Sequence[float] | None = None, interval: int = 600,
                    figsize: tuple[float, float] | None = None) -> NewtonExplorer:
    r"""Newton's method against gradient descent, one step at a time (chapter 08).

    Newton is :func:`gdlearn.second_order.newton` (pure, or ``damped`` with a
    modified Hessian and Armijo backtracking); gradient descent is
    ``gdlearn.optim.sgd(lr)`` run by :func:`gdlearn.run.run`. The **step k**
    slider (and the Play button linked to it) shows the first ``k`` steps of
    both, and the dashed lines are the contours of Newton's quadratic model at
    its current iterate, with the model's stationary point marked (a plus).

    Parameters
    ----------
    surfaces : None, Surface, list or dict, optional
        Surfaces in the dropdown. Default: a quadratic with κ = 20, Rosenbrock,
        and Himmelblau (non-convex: saddles and a maximum). A new surface brings
        its own start point and gradient-descent learning rate.
    steps : int
        Largest step shown (both methods run this many steps at most).
    damped : bool
        Start with damped Newton.
    lr : float, optional
        Gradient descent's learning rate (default 1/L where known, else 1e-3 on
        Rosenbrock and 0.01 on Himmelblau).
    x0 : (2,) array, optional
        Start point (default: the surface's ``start``).
    interval : int
        Milliseconds between steps of the Play button.

    Returns
    -------
    NewtonExplorer
        Display it in a notebook; drive it with ``.update(step=..., surface=...,
        x0=..., y0=..., damped=..., lr=...)``. ``.newton_trace`` and ``.gd_trace``
        hold the runs, ``.model_center`` the model's stationary point at the
        current step.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ex = newton_explorer(figsize=(6, 3))
    >>> ex.newton_trace.steps                    # one step on a quadratic
    1
    >>> ex.update(surface="himmelblau", step=2)
    >>> ex.newton_trace.status                   # pure Newton from (0, 0): Himmelblau's maximum
    'maximum'
    >>> ex.update(damped=True)
    >>> ex.newton_trace.status
    'converged'
    >>> ex.update(lr=-1.0)                      # shown under the widget, not raised
    >>> ex.status_text
    '⚠ ValueError: lr must be > 0, got -1.0'
    >>> ex.close()
    """
    return NewtonExplorer(surfaces, steps, damped=damped, lr=lr, x0=x0, interval=interval, figsize=figsize)
