r"""The clipping explorer (chapter 07): gradient descent at the foot of an exploding wall.

The landscape is the loss of a scalar recurrence, :math:`h_t = w\,h_{t-1} + b`
over :math:`T = 20` steps, as a function of :math:`(w, b)`
(:func:`gdlearn.troubles.recurrence_surface`). Around :math:`|w| = 1` the
:math:`w^T` inside :math:`h_T` raises a steep wall (Pascanu, Mikolov &
Bengio 2013): the gradient there is thousands of times larger than on the
valley floor, so one plain gradient step throws the iterate far away.

Controls: **clipping** (none / by value / by global norm, i.e.
:func:`gdlearn.optim.clip_by_value` and :func:`gdlearn.optim.clip_by_global_norm`
chained before ``sgd``), the **threshold** :math:`c` (log slider) and the
**learning rate** (log slider). Left: the contours, the valley floor
(:math:`h_T = y`, dashed) and the path; right: the loss and the gradient
norms, raw :math:`\lVert\nabla f\rVert` and after clipping. A run that leaves
the map says "diverged at step k" in the status line, never a traceback.
With ipympl, a click on the contour plot sets the start.

Built like every explorer on :class:`~gdlearn.widgets.explorers.Explorer`
(contours drawn once, blitted updates, static fallback)::

    from gdlearn.widgets.clipping import clipping_explorer
    ex = clipping_explorer()
    ex
    ex.update(clip="none")
    ex.status_text             # 'diverged at step 1: ...'
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np

from .. import plotting, style
from ..optim import chain, clip_by_global_norm, clip_by_value, sgd
from ..run import Trace, run
from ..troubles import recurrence
from ..troubles import recurrence_surface as _recurrence_surface
from .explorers import _RED, Explorer, _int, _real

__all__ = ["ClippingExplorer", "clipping_explorer", "descend", "CLIP_MODES"]

#: Dropdown label -> the clipping block (None: no clipping).
CLIP_MODES = {"none": None, "by value": clip_by_value, "by global norm": clip_by_global_norm}

_LOSS_YLIM = (1e-8, 1e14)      # the widest ranges; the top follows each run's data
_GRAD_YLIM = (1e-4, 1e14)


def _decade_ylim(arrays: Sequence[Any], widest: tuple[float, float]) -> tuple[float, float]:
    """From the bottom of `widest` (where converging runs end) to half a decade above the data's top decade."""
    vals = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    lo = widest[0]
    hi = min(widest[1], 10.0 ** (np.ceil(np.log10(vals.max())) + 0.5)) if vals.size else widest[1]
    return (float(lo), float(hi)) if lo < hi else widest


def descend(clip: str, threshold: float, lr: float, surface: Any, x0: Any, steps: int,
            bound: float | None = None, tol: float = 0.0) -> Trace:
    """Gradient descent with clipping: ``run(chain(clip(c), sgd(lr)), surface, x0, steps, tol=tol)``.

    ``clip`` is a key of :data:`CLIP_MODES` (``"none"``: plain ``sgd(lr)``);
    ``bound`` is :func:`gdlearn.run.run`'s (default: 100 times the surface's
    domain or the start).

    Examples
    --------
    >>> from gdlearn.troubles import recurrence_surface
    >>> s = recurrence_surface()
    >>> descend("none", 1.0, 0.02, s, s.start, 50).message
    'diverged at step 1: max |x| = 239 exceeded the bound 150'
    >>> descend("by global norm", 1.0, 0.02, s, s.start, 50).status
    'max_steps'
    """
    block = CLIP_MODES[clip]
    opt = sgd(lr=lr) if block is None else chain(block(threshold), sgd(lr=lr))
    return run(opt, surface, x0, steps, tol=tol, bound=bound)


def _turn_degrees(g: np.ndarray, u: np.ndarray) -> float:
    """Angle between the gradient g and the clipped gradient u, in degrees."""
    ng, nu = float(np.linalg.norm(g)), float(np.linalg.norm(u))
    if ng == 0 or nu == 0 or not (math.isfinite(ng) and math.isfinite(nu)):
        return 0.0
    a, b = g / ng, u / nu   # 2 atan2(|a - b|, |a + b|): accurate near 0° too, unlike acos
    return math.degrees(2.0 * math.atan2(float(np.linalg.norm(a - b)), float(np.linalg.norm(a + b))))


class ClippingExplorer(Explorer):
    """Gradient descent with and without clipping on the recurrence loss; see :func:`clipping_explorer`."""

    def __init__(self, clip: str = "by global norm", threshold: float = 1.0, lr: float = 0.02,
                 steps: int = 200, *, T: int = 20, target: float = 3.0,
                 x0: Sequence[float] | None = None,
                 figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        s = self.surface = _recurrence_surface(T=T, target=target)
        self.T, self.target = int(T), float(target)
        start = np.asarray(s.start if x0 is None else x0, dtype=float).reshape(-1)
        if start.shape != (2,):
            raise ValueError(f"x0 must be a point (w, b), got {x0!r}")
        self.trace = None
        self.clipped_norms: np.ndarray | None = None
        self.clipped_steps = 0
        self.first_turn = 0.0
        self.values = self._validate(dict(clip=clip, threshold=threshold, lr=lr, steps=steps,
                                          x0=float(start[0]), y0=float(start[1])))
        self._build_controls()
        self._build_figure(figsize or style.FIGSIZE["wide"])  # fits a notebook cell
        self._start()

    # -- parts
    def _build_controls(self) -> None:
        v, d = self.values, style.SLIDER_DEFAULTS
        common = dict(style=d["style"], continuous_update=d["continuous_update"])
        self.controls = {
            "clip": widgets.ToggleButtons(options=list(CLIP_MODES), value=v["clip"],
                                          description="clipping", style=d["style"]),
            "threshold": widgets.FloatLogSlider(value=v["threshold"], base=10.0, min=-2.0, max=4.0,
                                                step=0.05, readout_format=".3g",
                                                description="threshold c", **common),
            "lr": widgets.FloatLogSlider(value=v["lr"], base=10.0, min=-4.0, max=0.0, step=0.05,
                                         readout_format=".2e", description="learning rate", **common),
            "steps": widgets.IntSlider(value=v["steps"], min=10, max=1000, step=10,
                                       description="steps", **common),
        }

    def _build_figure(self, figsize: tuple[float, float]) -> None:
        s = self.surface
        fig = self.fig = plotting.new_figure(figsize)
        grid = fig.add_gridspec(2, 2, width_ratios=[0.85, 1])
        ax = self.ax = fig.add_subplot(grid[:, 0])
        lax = self.loss_ax = fig.add_subplot(grid[0, 1])
        gax = self.grad_ax = fig.add_subplot(grid[1, 1], sharex=lax)
        plotting.plot_contours(s, ax=ax, levels=np.geomspace(1e-2, 1e8, 21), mark_minima=False,
                               title=f"Loss of $h_t = w\\,h_{{t-1}} + b$, T = {self.T}")
        W, B, _ = plotting.surface_grid(s, 300)
        hT = recurrence(W, 1.0, np.broadcast_to(B, (self.T,) + B.shape))[-1]
        floor = ax.contour(W, B, hT - self.target, levels=[0.0], colors=[style.PALETTE["bluish_green"]],
                           linewidths=1.5, linestyles="--", zorder=2)
        floor_handle = ax.plot([], [], color=style.PALETTE["bluish_green"], linestyle="--",
                               label=f"valley floor: $h_T = {self.target:g}$")[0]
        ax.set_xlabel("$w$ (recurrent weight)")
        ax.set_ylabel("$b$ (input)")
        color = style.color_for("sgd")
        path = plotting.plot_path(np.zeros((1, 2)), ax=ax, color=color, label="path (gradient descent, clipped as chosen)",
                                  legend=False, markers=False)
        ax.legend(handles=[floor_handle, path.line], loc="lower left", fontsize=8)
        self._floor = floor
        msg = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", ha="left", fontsize=8,
                      zorder=10, bbox=dict(boxstyle="round", facecolor="white", alpha=0.9, lw=0))
        (loss,) = lax.plot([], [], color=color, label="loss")
        lax.set(yscale="log", ylim=_LOSS_YLIM, ylabel="loss $f$", title="Loss and gradient norm")
        lax.tick_params(labelbottom=False)
        (raw,) = gax.plot([], [], color=style.PALETTE["vermillion"], linewidth=1.2,
                          label=r"raw $\|\nabla f\|$")
        (used,) = gax.plot([], [], color=color, linewidth=3.0, label="after clipping")
        (thr,) = gax.plot([], [], color="black", linewidth=1.2, linestyle=(0, (4, 3)), zorder=4,
                          label="threshold $c$ (on top)")
        (blowup,) = lax.plot([], [], "X", color=_RED, markersize=11, markeredgecolor="black", zorder=6)
        gax.set(yscale="log", ylim=_GRAD_YLIM, xlabel="step $k$", ylabel="gradient norm")
        gax.legend(loc="upper right", fontsize=7, ncol=3)
        self.artists = {"path": path.line, "start": path.start, "end": path.end, "loss": loss,
                        "raw_norm": raw, "clipped_norm": used, "threshold": thr, "blowup": blowup,
                        "message": msg}

    def _connect_canvas(self) -> None:
        super()._connect_canvas()
        self.fig.canvas.mpl_connect("button_press_event", self.on_click)

    def on_click(self, event: Any) -> None:
        """Start from where the contour plot was clicked (left button, no pan/zoom mode)."""
        if getattr(event, "inaxes", None) is not self.ax:
            return
        x, y = getattr(event, "xdata", None), getattr(event, "ydata", None)
        if x is None or y is None or getattr(event, "button", 1) not in (1, None):
            return
        if getattr(getattr(self.fig.canvas, "toolbar", None), "mode", ""):
            return
        with self.captured():
            self.update(x0=float(x), y0=float(y))

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        if v["clip"] not in CLIP_MODES:
            raise ValueError(f"clip must be one of {list(CLIP_MODES)}, got {v['clip']!r}")
        return dict(clip=v["clip"], threshold=_real("threshold", v["threshold"], positive=True),
                    lr=_real("lr", v["lr"], positive=True), steps=_int("steps", v["steps"], 1, 100_000),
                    x0=_real("x0", v["x0"]), y0=_real("y0", v["y0"]))

    # -- drawing
    def _redraw(self) -> None:
        v = self.values
        s = self.surface
        x0 = np.array([v["x0"], v["y0"]])
        trace = self.trace = descend(v["clip"], v["threshold"], v["lr"], s, x0, v["steps"])
        xs, k = trace.xs, np.arange(len(trace.fs))
        raw = trace.grad_norms
        block = CLIP_MODES[v["clip"]]
        if block is None:
            used = raw
            self.first_turn = 0.0
        else:
            # what the clipping block passed on at each step: the step taken divided by lr
            # (the last iterate has no step after it: nan)
            used = np.append(np.linalg.norm(np.diff(xs, axis=0), axis=1) / v["lr"], np.nan)
            clipper = block(v["threshold"])
            g0 = s.grad(x0)
            self.first_turn = _turn_degrees(g0, clipper.update(g0, clipper.init(x0))[0])
        self.clipped_norms = used
        with np.errstate(invalid="ignore"):
            # a step was clipped if it came out shorter than the gradient, and the block could
            # act: both need |g| above the threshold (by global norm: |g| + 1e-6 > c; by value:
            # some |g_i| > c, so |g| > c). Without the second test, round-off in the iterates
            # near convergence (|g| ~ 1e-8 or less) made unclipped steps count.
            acts = raw[:-1] > v["threshold"] - 1e-6
            self.clipped_steps = int(np.sum((used[:-1] < raw[:-1] * (1 - 1e-9)) & acts)) if block else 0
        a = self.artists
        a["path"].set_data(xs[:, 0], xs[:, 1])
        a["start"].set_data(xs[:1, 0], xs[:1, 1])
        a["end"].set_data(xs[-1:, 0], xs[-1:, 1])
        a["end"].set_marker("X" if trace.status == "diverged" else style.END_STYLE["marker"])
        with np.errstate(divide="ignore", invalid="ignore"):
            a["loss"].set_data(k, np.where(trace.fs > 0, trace.fs, np.nan))
        a["raw_norm"].set_data(k, raw)
        few = "o" if len(k) < 5 else "None"       # a run that diverged at once has no line to draw
        a["loss"].set_marker(few)
        a["raw_norm"].set_marker(few)
        diverged = trace.status == "diverged"
        loss_ylim = _decade_ylim([trace.fs], _LOSS_YLIM)
        grad_ylim = _decade_ylim([raw, used] + ([[v["threshold"]]] if block is not None else []), _GRAD_YLIM)
        for ax, want in ((self.loss_ax, loss_ylim), (self.grad_ax, grad_ylim)):
            now = ax.get_ylim()
            if now == want:
                continue
            if self._moving():  # widen only; the keyframe narrows once the controls are still
                want, wanted = (min(now[0], want[0]), max(now[1], want[1])), want
                self._settle_pending |= want != wanted
            if want != now:
                ax.set_ylim(*want)
                self._full_draw_needed = True
        a["blowup"].set_data([trace.diverged_at if diverged else 0], [self.loss_ax.get_ylim()[1] / 3])
        a["blowup"].set_visible(diverged)
        a["clipped_norm"].set_data(k, used)
        a["clipped_norm"].set_visible(block is not None)
        a["threshold"].set_data([0, v["steps"]], [v["threshold"]] * 2)
        a["threshold"].set_visible(block is not None)
        if self.loss_ax.get_xlim() != (0.0, float(v["steps"])):
            self.loss_ax.set_xlim(0.0, float(v["steps"]))
            self._full_draw_needed = True

        name = "no clipping" if block is None else f"clipping {v['clip']}, c = {v['threshold']:.3g}"
        if trace.status == "diverged":
            kbad = trace.diverged_at
            g = raw[kbad - 1] if kbad - 1 < len(raw) else raw[-1]
            message = (f"diverged at step {kbad}: a gradient of norm {g:.3g} times lr = {v['lr']:.3g} "
                       f"threw the iterate off the map ({name})")
            box = [f"diverged at step {kbad}", f"|grad f| = {g:.3g}, lr = {v['lr']:.3g}"]
            color = _RED
        else:
            message = (f"{name}, lr = {v['lr']:.3g}: loss {trace.fs[0]:.3g} → {trace.f:.3g} after "
                       f"{trace.steps} steps; largest |grad f| = {raw.max():.3g}")
            if block is not None:
                message += (f"; clipped at {self.clipped_steps} of {trace.steps} steps; first step turned "
                            f"{self.first_turn:.0f}° away from −∇f")
            box = [name, f"loss {trace.f:.3g} after {trace.steps} steps"]
            color = None
        a["message"].set_text("\n".join(box))
        a["message"].set_color(color or "black")
        a["message"].set_visible(color is not None or self._static_display)
        self._set_status(message, color)


def clipping_explorer(clip: str = "by global norm", threshold: float = 1.0, lr: float = 0.02,
                      steps: int = 200, *, T: int = 20, target: float = 3.0,
                      x0: Sequence[float] | None = None,
                      figsize: tuple[float, float] | None = None) -> ClippingExplorer:
    r"""Explore gradient clipping on an exploding recurrence (chapter 07).

    Runs ``run(chain(clip(c), sgd(lr)), recurrence_surface(T, target=y), x0, steps)``
    with ``clip`` one of :func:`gdlearn.optim.clip_by_value`,
    :func:`gdlearn.optim.clip_by_global_norm`, or nothing.

    Parameters
    ----------
    clip : {"none", "by value", "by global norm"}
        The clipping of the gradient before the step.
    threshold : float
        :math:`c > 0`: the largest entry (by value) or the largest norm (by global norm).
    lr : float
        The learning rate.
    steps : int
        Step budget.
    T, target : int, float
        Length of the recurrence and the target :math:`y` of :math:`\tfrac12 (h_T - y)^2`.
    x0 : (2,) array, optional
        Start :math:`(w, b)`; default ``(1.12, -0.6)``, at the foot of the wall.

    Returns
    -------
    ClippingExplorer
        Drive it with ``.update(clip=..., threshold=..., lr=..., steps=..., x0=..., y0=...)``;
        ``.trace`` is the run, ``.clipped_norms`` the norms after clipping,
        ``.first_turn`` the angle (degrees) between the first clipped gradient and the gradient.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ex = clipping_explorer(figsize=(8, 3.5))
    >>> ex.trace.status, ex.first_turn < 1e-6          # by norm: the direction is kept
    ('max_steps', True)
    >>> ex.update(clip="none")
    >>> ex.status_text.split(":")[0]
    'diverged at step 1'
    >>> ex.update(clip="by value")
    >>> ex.first_turn > 10                             # by value: the direction turns
    True
    >>> ex.update(lr=-1.0)                             # shown, not raised
    >>> ex.status_text
    '⚠ ValueError: lr must be > 0, got -1.0'
    >>> ex.close()
    """
    return ClippingExplorer(clip, threshold, lr, steps, T=T, target=target, x0=x0, figsize=figsize)
