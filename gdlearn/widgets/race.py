r"""The optimizer race (chapter 06): several optimizers animated side by side on one surface.

Pick a surface (Rosenbrock, Beale, an ill-conditioned quadratic, Himmelblau,
the saddle), tick the optimizers to race (SGD, momentum, Nesterov, Adagrad,
RMSprop, Adam, AdamW, AMSGrad), give each its own learning rate (one
log-scale slider per optimizer), and press Play: a step slider, linked to
the Play button, advances all the paths together over the contours while the
loss curves (:math:`f(x_k) - f^\star`, log scale) grow on the right.

Each optimizer runs once through :func:`gdlearn.run.run` when its settings
change (its learning rate, the surface or the start); a step change only
cuts the precomputed paths at the step (``set_data``) and blits them, so the
Play button stays smooth. Every race optimizer has its own colour (the eight
Okabe–Ito colours of :data:`gdlearn.style.PALETTE`) and its own marker
(:data:`RACE_STYLES`). An optimizer that diverges stops where its last finite
iterate was (or at the edge of the axes if that point is outside them),
marked with a large "X" (a marker no optimizer uses) and the word
"diverged" above it; its legend entry says "diverged (X)" and the
status line ``"diverged at step k"``. (The legend is
static, redrawn only when that changes: the numbers, which change with every
slider move, go to the status line.)

Built on :class:`~gdlearn.widgets.explorers.Explorer` (plain parts:
``controls``, ``fig``, ``artists``, ``update(**values)``; errors shown in the
status line, never raised; a static PNG without ipympl)::

    from gdlearn.widgets.race import optimizer_race
    race = optimizer_race(surface="rosenbrock", optimizers=["SGD", "momentum", "Adam"])
    race                                  # Play, step, sliders, figure, status
    race.update(lr_adam=0.05, step=100)
    race.traces["Adam"].status
"""
from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.ticker import AutoLocator, MultipleLocator

from .. import plotting, style
from .. import surfaces as _surfaces
from ..optim import adagrad, adam, adamw, rmsprop, sgd
from ..run import run
from .explorers import _RED, Explorer, _int, _real, _surface_dict

__all__ = ["RaceExplorer", "optimizer_race", "RACE_OPTIMIZERS", "RACE_STYLES", "DIVERGED_MARKER", "race_style",
           "race_surfaces", "default_lr"]

#: The optimizers of the race: display name -> ``lr -> GradientTransformation``
#: (torch's defaults for everything but the learning rate; momentum β = 0.9).
RACE_OPTIMIZERS: dict[str, Callable[[float], Any]] = {
    "SGD": lambda lr: sgd(lr=lr),
    "momentum": lambda lr: sgd(lr=lr, momentum=0.9),
    "Nesterov": lambda lr: sgd(lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda lr: adagrad(lr=lr),
    "RMSprop": lambda lr: rmsprop(lr=lr),
    "Adam": lambda lr: adam(lr=lr),
    "AdamW": lambda lr: adamw(lr=lr),
    "AMSGrad": lambda lr: adam(lr=lr, amsgrad=True),
}
DEFAULT_OPTIMIZERS = ("SGD", "momentum", "RMSprop", "Adam")

_P = style.PALETTE
#: One colour and one marker per race optimizer, all different, so that eight paths
#: can be told apart at a glance (colour-blind safe: the Okabe–Ito palette; the
#: yellow and black lines get a thin contrasting outline on the figure). Colours
#: and markers are those of :func:`gdlearn.style.optimizer_style`, so an optimizer
#: looks the same here as in every chapter's figures. Colours that are close
#: (orange/vermillion/yellow, blue/sky blue) get different line styles. Line widths
#: differ too, and a thinner line is drawn above a wider one, so that two paths
#: running along the same valley floor both stay visible (momentum widest, AdamW
#: thinnest, and no line so wide that it hides the markers beside it); each path
#: and loss curve also carries its marker every few steps, at offsets staggered
#: between optimizers. Both panels have a legend.
RACE_STYLES: dict[str, dict[str, Any]] = {
    "SGD": {"color": _P["blue"], "marker": "o", "linestyle": "-", "linewidth": 2.0},
    "momentum": {"color": _P["orange"], "marker": "s", "linestyle": "-", "linewidth": 2.6},
    "Nesterov": {"color": _P["reddish_purple"], "marker": "D", "linestyle": ":", "linewidth": 1.9},
    "Adagrad": {"color": _P["bluish_green"], "marker": "^", "linestyle": "-.", "linewidth": 2.1},
    "RMSprop": {"color": _P["sky_blue"], "marker": "v", "linestyle": ":", "linewidth": 2.3},
    "Adam": {"color": _P["vermillion"], "marker": "P", "linestyle": "--", "linewidth": 1.3},
    "AdamW": {"color": _P["black"], "marker": "h", "linestyle": "-.", "linewidth": 1.1},
    "AMSGrad": {"color": _P["yellow"], "marker": "<", "linestyle": ":", "linewidth": 1.6},
}
#: Markers along each path and loss curve: about this many per race.
MARKS_PER_RACE = 12
#: Markers along each path: one every this fraction of the axes (about 12 across a panel).
PATH_MARK_SPACING = 0.1
#: The marker of a diverged run (no race optimizer uses it).
DIVERGED_MARKER = "X"


def race_style(name: str) -> dict[str, Any]:
    """Colour, marker, line style and line width of an optimizer in the race.

    The race's own optimizers have fixed, distinct styles (:data:`RACE_STYLES`);
    any other name falls back to :func:`gdlearn.style.optimizer_style`.

    Examples
    --------
    >>> race_style("Adam")["marker"], race_style("AdamW")["color"] != race_style("Adam")["color"]
    ('P', True)
    """
    if name in RACE_STYLES:
        return dict(RACE_STYLES[name])
    st = dict(style.optimizer_style(name))
    if st["marker"] in ("X", "x"):
        st["marker"] = "o"
    st.setdefault("linewidth", 1.8)
    return st

_QUAD = "quadratic (κ = 50)"
# Learning rates that make a good race from each surface's start in 300 steps
# (found by a sweep over a log grid; "*" is every other surface).
_DEFAULT_LRS: dict[str, dict[str, float]] = {
    "*": {"SGD": 1e-3, "momentum": 1e-3, "Nesterov": 1e-3, "Adagrad": 1.0, "RMSprop": 0.03,
          "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.1},
    "beale": {"SGD": 0.01},
    _QUAD: {"SGD": 0.03, "momentum": 0.01, "Nesterov": 0.01},
    "himmelblau": {"SGD": 0.01, "momentum": 3e-3, "Nesterov": 3e-3},
    "saddle": {"SGD": 0.01, "momentum": 3e-3, "Nesterov": 3e-3, "Adagrad": 0.1, "RMSprop": 0.01,
               "Adam": 0.03, "AdamW": 0.03, "AMSGrad": 0.03},
}


# The path panel's default view per surface, where the default race's paths lie (the whole
# domain, x in [-2, 2] and y in [-1, 3] for Rosenbrock, would leave them a fifth of the panel).
_VIEWS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "rosenbrock": ((-1.5, 1.3), (-0.3, 1.5)),
}


def race_surfaces() -> dict[str, Any]:
    """The surfaces of the race's dropdown: Rosenbrock, Beale, an ill-conditioned quadratic
    (κ = 50, axes turned by 30°), Himmelblau and the saddle x² − y²."""
    return {"rosenbrock": _surfaces.rosenbrock, "beale": _surfaces.beale,
            _QUAD: _surfaces.quadratic(50.0, angle=math.pi / 6),
            "himmelblau": _surfaces.himmelblau, "saddle": _surfaces.saddle}


def default_lr(surface: str, optimizer: str) -> float:
    """The race's starting learning rate for an optimizer on a surface (by their names).

    Examples
    --------
    >>> default_lr("rosenbrock", "Adam"), default_lr("beale", "SGD")
    (0.1, 0.01)
    """
    table = _DEFAULT_LRS.get(surface, {})
    return float(table.get(optimizer, _DEFAULT_LRS["*"].get(optimizer, 1e-2)))


def _slug(name: str) -> str:
    """The value key of an optimizer's learning rate: ``"Adam"`` -> ``"lr_adam"``."""
    return "lr_" + "".join(c if c.isalnum() else "_" for c in name.lower())


class RaceExplorer(Explorer):
    """Several optimizers on one surface, animated together. See :func:`optimizer_race`."""

    def __init__(self, surfaces: Any = None, optimizers: Any = None, *, surface: str | None = None,
                 x0: Sequence[float] | None = None, steps: int = 300, lrs: Mapping[str, float] | None = None,
                 interval: int = 60, max_frames: int = 150,
                 figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.surfaces = _surface_dict(race_surfaces() if surfaces is None else surfaces)
        self.optimizers = self._optimizer_dict(optimizers)
        self.steps = _int("steps", steps, 1, 20_000)
        name = next(iter(self.surfaces)) if surface is None else surface
        if name not in self.surfaces:
            raise ValueError(f"surface must be one of {list(self.surfaces)}, got {name!r}")
        s = self.surfaces[name]
        start = np.asarray(s.start if x0 is None else x0, dtype=float).reshape(-1)
        if start.shape != (2,):
            raise ValueError(f"x0 must be a point (x, y), got {x0!r}")
        shown = tuple(n for n in DEFAULT_OPTIMIZERS if n in self.optimizers) or tuple(self.optimizers)[:4]
        if optimizers is not None and not isinstance(optimizers, Mapping):
            shown = tuple(self.optimizers)       # a list of names: race exactly those
        lrs = dict(lrs or {})
        unknown = set(lrs) - set(self.optimizers)
        if unknown:
            raise ValueError(f"lrs: unknown optimizer(s) {sorted(unknown)}, expected some of {list(self.optimizers)}")
        self._keys = {n: _slug(n) for n in self.optimizers}
        self.traces: dict[str, Any] = {}
        self._run_keys: dict[str, tuple] = {}
        self._loss: dict[str, np.ndarray] = {}
        self._surface_drawn = None
        self._labels: tuple = ()
        self._contours = None
        self._stopped: dict[str, bool] = {}
        self._loss_top = math.inf
        values = dict(surface=name, optimizers=shown, step=self.steps, x0=float(start[0]), y0=float(start[1]))
        for n, key in self._keys.items():
            values[key] = lrs.get(n, default_lr(name, n))
        self.values = self._validate(values)
        self._build_controls(_int("interval", interval, 1, 10_000), _int("max_frames", max_frames, 1, 10_000))
        self._build_figure(figsize or style.FIGSIZE["wide"])  # fits a notebook cell
        self._start()

    @staticmethod
    def _optimizer_dict(optimizers: Any) -> dict[str, Callable[[float], Any]]:
        if optimizers is None:
            return dict(RACE_OPTIMIZERS)
        if isinstance(optimizers, str):
            optimizers = [optimizers]
        if isinstance(optimizers, Mapping):
            out = dict(optimizers)
            for k, v in out.items():
                if not callable(v):
                    raise TypeError(f"optimizers[{k!r}] must be a callable lr -> GradientTransformation")
        elif isinstance(optimizers, (list, tuple)):
            out = {}
            for n in optimizers:
                if n not in RACE_OPTIMIZERS:
                    raise ValueError(f"optimizers: unknown name {n!r}, expected some of {list(RACE_OPTIMIZERS)}")
                out[n] = RACE_OPTIMIZERS[n]
        else:
            raise TypeError(f"optimizers must be None, a list of names or a dict name -> (lr -> optimizer), "
                            f"got {type(optimizers).__name__}")
        if not out:
            raise ValueError("optimizers must not be empty")
        return out

    # -- parts
    def _build_controls(self, interval: int, max_frames: int) -> None:
        v, d = self.values, style.SLIDER_DEFAULTS
        common = dict(style=d["style"], continuous_update=d["continuous_update"])
        self.controls = {
            "surface": widgets.Dropdown(options=list(self.surfaces), value=v["surface"], description="surface",
                                        style=d["style"]),
            "optimizers": widgets.SelectMultiple(options=list(self.optimizers), value=v["optimizers"],
                                                 rows=min(len(self.optimizers), 8), description="optimizers",
                                                 style=d["style"]),
        }
        for n, key in self._keys.items():
            kw = dict(d["lr"])
            kw["min"] = min(kw["min"], math.floor(math.log10(v[key])))
            kw["max"] = max(1.0, kw["max"], math.ceil(math.log10(v[key])))
            self.controls[key] = widgets.FloatLogSlider(value=v[key], description=f"{n} lr", **kw, **common)
        self.controls["play"] = widgets.Play(value=v["step"], min=0, max=self.steps, interval=interval,
                                             step=max(1, math.ceil(self.steps / max_frames)), description="play")
        self.controls["step"] = widgets.IntSlider(value=v["step"], min=0, max=self.steps, description="step",
                                                  **common)
        self.link = widgets.jslink((self.controls["play"], "value"), (self.controls["step"], "value"))

    def _connect(self) -> None:
        for key, control in self.controls.items():
            if key != "play":  # the Play button moves the step slider (jslink), which is observed
                control.observe(partial(self._on_control, key), names="value")
        self._connect_canvas()

    def _control_box(self) -> widgets.Widget:
        c = self.controls
        sliders = widgets.VBox([c[k] for k in self._keys.values()])
        top = widgets.HBox([widgets.VBox([c["surface"], c["optimizers"]]), sliders])
        return widgets.VBox([top, widgets.HBox([c["play"], c["step"]])])

    def _build_figure(self, figsize: tuple[float, float]) -> None:
        fig = self.fig = plotting.new_figure(figsize)
        ax, lax = fig.subplots(1, 2, width_ratios=[1, 1.15])
        self.ax, self.loss_ax = ax, lax
        self.artists = {}
        # the start ring above every path and its markers (below the moving heads)
        (start,) = ax.plot([], [], color="black", **dict(style.START_STYLE, zorder=7))
        self.artists["start"] = start
        every = max(1, round(self.steps / MARKS_PER_RACE))
        for i, n in enumerate(self.optimizers):
            st = race_style(n)
            color, ls, lw = st["color"], st["linestyle"], st["linewidth"]
            light = color == _P["yellow"]          # the one colour that needs a dark outline on white
            # no white halo on the other lines: a halo would erase a wider line running beneath
            outline = [patheffects.withStroke(linewidth=lw + 1.2, foreground="#333333")] if light else None
            # loss curves: a marker every `every` steps; paths: a marker every PATH_MARK_SPACING of
            # the axes (matplotlib's float markevery), so that a slow optimizer's short path is not
            # buried under its own markers. Both staggered, so that coinciding paths show both.
            marks = dict(marker=st["marker"], markevery=((i * every) // len(self.optimizers), every),
                         markersize=5.5, markeredgecolor="black", markeredgewidth=0.6)
            spaced = dict(marks, markevery=(PATH_MARK_SPACING * (0.1 + 0.8 * i / len(self.optimizers)),
                                            PATH_MARK_SPACING))
            (path,) = ax.plot([], [], color=color, linestyle=ls, linewidth=lw, zorder=4 + 0.1 * (5 - lw), label=n,
                              path_effects=outline)
            (dots,) = ax.plot([], [], color=color, linestyle="none", zorder=6, **spaced)   # no outline on markers
            (head,) = ax.plot([], [], marker=st["marker"], markersize=9, color=color, markeredgecolor="black",
                              linestyle="none", zorder=8)
            (loss,) = lax.plot([], [], color=color, linestyle=ls, linewidth=lw, label=n, zorder=2 + 0.1 * (5 - lw),
                               path_effects=outline, **marks)
            gone = ax.text(0.0, 0.0, "diverged", color="black", fontsize=9, fontweight="bold", zorder=9,
                           ha="center", va="bottom", visible=False,
                           bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor=color, linewidth=1.5))
            self.artists[f"path:{n}"], self.artists[f"head:{n}"], self.artists[f"loss:{n}"] = path, head, loss
            self.artists[f"marks:{n}"] = dots
            self.artists[f"gone:{n}"] = gone
        self.artists["now"] = lax.axvline(0.0, color="black", linewidth=0.8, linestyle=":")
        lax.set_xlabel("step $k$")
        lax.set_title("Loss")
        lax.set_xlim(0, self.steps)
        self.legend = self.path_legend = None

    def _moving_artists(self) -> list:
        """The blitted artists in z-order, as a full draw would stack them (thin lines over wide)."""
        return sorted(super()._moving_artists(), key=lambda a: a.get_zorder())

    def _set_legend(self, labels: Sequence[tuple[str, str]]) -> None:
        """The legend is static (text is slow to blit): rebuilt, with a full redraw, only when a
        label changes, i.e. when the choice of optimizers or whether one diverges changes."""
        for legend in (self.legend, self.path_legend):
            if legend is not None:
                legend.remove()
        self.legend = self.path_legend = None
        handles = []
        for n, text in labels:  # proxies: the line style and the marker of the moving head
            self.artists[f"loss:{n}"].set_label(text)
            st = race_style(n)
            diverged = text.endswith("diverged (X)")
            handles.append(Line2D([], [], color=st["color"], linestyle=st["linestyle"], linewidth=st["linewidth"],
                                  marker=DIVERGED_MARKER if diverged else st["marker"], markersize=8 if diverged else 7,
                                  markeredgecolor="black", label=text))
        if handles:
            shape = dict(handles=handles, ncol=2 if len(handles) > 4 else 1, columnspacing=0.8)
            self.legend = self.loss_ax.legend(loc="upper right", fontsize=8, **shape)
            # the same key on the path panel, where the paths need it most; "best" is placed
            # at a full draw only (the legend is static, never blitted). Past four entries a
            # two-column key would cover the paths: the loss panel's key beside it serves both.
            if len(handles) <= 4:
                self.path_legend = self.ax.legend(loc="best", fontsize=7, framealpha=0.85, **shape)
        self._full_draw_needed = True

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        if v["surface"] not in self.surfaces:
            raise ValueError(f"surface must be one of {list(self.surfaces)}, got {v['surface']!r}")
        chosen = v["optimizers"]
        if isinstance(chosen, str):
            chosen = (chosen,)
        if not isinstance(chosen, (list, tuple)):
            raise TypeError(f"optimizers must be a tuple of names, got {chosen!r}")
        bad = [n for n in chosen if n not in self.optimizers]
        if bad:
            raise ValueError(f"optimizers: unknown name(s) {bad}, expected some of {list(self.optimizers)}")
        out = dict(surface=v["surface"], optimizers=tuple(n for n in self.optimizers if n in chosen),
                   step=_int("step", v["step"], 0, self.steps), x0=_real("x0", v["x0"]), y0=_real("y0", v["y0"]))
        for n, key in self._keys.items():
            lr = _real(key, v[key], positive=True)
            out[key] = lr
        return out

    def _prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new surface brings its own start and learning rates, unless they are given too."""
        name = values.get("surface")
        if name in self.surfaces and name != self.values.get("surface"):
            start = np.asarray(self.surfaces[name].start, dtype=float)
            values.setdefault("x0", float(start[0]))
            values.setdefault("y0", float(start[1]))
            for n, key in self._keys.items():
                values.setdefault(key, default_lr(name, n))
        return values

    # -- runs
    def lr(self, name: str) -> float:
        """The current learning rate of optimizer ``name``."""
        return self.values[self._keys[name]]

    def _run(self, name: str, s: Any) -> Any:
        """The run of one optimizer, recomputed only when its settings changed."""
        v = self.values
        key = (v["surface"], self.lr(name), v["x0"], v["y0"])
        if self._run_keys.get(name) != key:
            trace = run(self.optimizers[name](self.lr(name)), s, np.array([v["x0"], v["y0"]]), self.steps)
            self.traces[name], self._run_keys[name] = trace, key
            self._loss[name] = self._loss_values(s, trace.fs)
        return self.traces[name]

    def _loss_values(self, s: Any, fs: np.ndarray) -> np.ndarray:
        f_star = plotting._f_star(s)
        if f_star is None:
            return np.asarray(fs, dtype=float)
        with np.errstate(invalid="ignore"):
            y = fs - f_star
            return np.where(y > 0, y, np.nan)

    def _set_background(self, s: Any) -> None:
        """Contours and loss-axis scale: the static parts (a full redraw, rare)."""
        if self._contours is not None:
            for a in self._contours:
                if a is not None:
                    a.remove()
        self._contours = plotting.plot_contours(s, ax=self.ax)
        # pale contours, so that the coloured paths on a valley floor keep their contrast
        if self._contours.filled is not None:
            self._contours.filled.set_alpha(0.45)
        self._contours.lines.set_alpha(0.45)
        lax = self.loss_ax
        f_star = plotting._f_star(s)
        _, _, Z = plotting.surface_grid(s, 200)
        if f_star is None:
            lax.set_yscale("linear")
            lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
            lax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
            lax.set_ylabel("$f(x_k)$")
        else:
            lax.set_yscale("log")
            hi = 10.0 ** (math.ceil(math.log10(float(np.nanmax(Z)) - f_star)) + 1)
            lax.set_ylim(1e-14, hi)
            self._loss_top = hi
            lax.set_ylabel(r"$f(x_k) - f^*$")
        self._surface_drawn = s
        self._full_draw_needed = True

    def _fit_loss_axis(self, s: Any, chosen: Sequence[str]) -> None:
        """Log scale fitted to the losses shown: from half the smallest to twice the largest.

        The limits change only when a loss leaves them or they are more than ten times
        too wide, so a slider move rarely changes them (each change is a full redraw).
        While the controls move they only widen; the keyframe narrows them once the
        controls are still (see ``Explorer._send_keyframe``)."""
        if plotting._f_star(s) is None or not chosen:
            return
        lows = [np.nanmin(self._loss[n]) for n in chosen if np.any(np.isfinite(self._loss[n]))]
        if not lows:
            return
        # a margin of a third of a decade below the smallest and above the largest loss
        bottom = max(1e-16, min(lows) / 2.0)
        highs = [np.nanmax(self._loss[n]) for n in chosen if np.any(np.isfinite(self._loss[n]))]
        top = min(self._loss_top, max(highs) * 2.0)
        lo, hi = self.loss_ax.get_ylim()
        # refit when a loss leaves the axis or the axis is more than ten times too wide
        leaves = bottom < lo or top > hi
        too_wide = bottom > lo * 10 or top < hi / 10
        if self._moving():
            if leaves:  # widen only: a sweep back and forth settles on one range
                self.loss_ax.set_ylim(min(lo, bottom), max(hi, top))
                self._full_draw_needed = True
                lo, hi = self.loss_ax.get_ylim()
                too_wide = bottom > lo * 10 or top < hi / 10
            self._settle_pending |= too_wide
        elif leaves or too_wide:
            self.loss_ax.set_ylim(bottom, max(top, bottom * 10))
            self._full_draw_needed = True

    def _fit_path_axis(self, s: Any) -> None:
        """The path panel: the surface's view (:data:`_VIEWS`, else its whole domain), widened to hold
        the start and the minima. It depends on the surface and the start only, never on a learning
        rate or the step, so it changes at full draws only (a path may leave it, as it may leave a
        domain; a diverged run's X then sits at the panel's edge)."""
        (dx_lo, dx_hi), (dy_lo, dy_hi) = s.domain
        (x_lo, x_hi), (y_lo, y_hi) = _VIEWS.get(self.values["surface"], s.domain)
        minima = np.asarray(s.minima if s.minima is not None else np.empty((0, 2)), dtype=float).reshape(-1, 2)
        p = np.vstack([[[self.values["x0"], self.values["y0"]]], minima])
        p = p[np.all(np.isfinite(p), axis=1)]
        pad_x, pad_y = 0.05 * (x_hi - x_lo), 0.05 * (y_hi - y_lo)
        if len(p):
            x_lo, x_hi = min(x_lo, p[:, 0].min() - pad_x), max(x_hi, p[:, 0].max() + pad_x)
            y_lo, y_hi = min(y_lo, p[:, 1].min() - pad_y), max(y_hi, p[:, 1].max() + pad_y)
        lims = ((max(x_lo, dx_lo), min(x_hi, dx_hi)), (max(y_lo, dy_lo), min(y_hi, dy_hi)))
        if lims != (self.ax.get_xlim(), self.ax.get_ylim()):
            self.ax.set_xlim(*lims[0])
            self.ax.set_ylim(*lims[1])
            for axis in (self.ax.xaxis, self.ax.yaxis):   # a view's ticks do not depend on the panel's size
                axis.set_major_locator(MultipleLocator(0.5) if self.values["surface"] in _VIEWS else AutoLocator())
            self._full_draw_needed = True

    @staticmethod
    def _label(name: str, trace: Any) -> str:
        # the step numbers go to the status line: a label that changed with every
        # learning rate would cost a full redraw per slider move
        return f"{name}: diverged (X)" if trace.status == "diverged" else name

    def _redraw(self) -> None:
        v = self.values
        s = self.surfaces[v["surface"]]
        if self._surface_drawn is not s:
            self._set_background(s)
        chosen = v["optimizers"]
        traces = {n: self._run(n, s) for n in chosen}
        for n in self.optimizers:  # before the legend, which copies the lines' visibility
            for part in ("path", "marks", "head", "loss"):
                self.artists[f"{part}:{n}"].set_visible(n in chosen)
            if n not in chosen:
                self.artists[f"gone:{n}"].set_visible(False)
        self._fit_loss_axis(s, chosen)
        self._fit_path_axis(s)
        labels = tuple((n, self._label(n, t)) for n, t in traces.items())
        if labels != self._labels:
            self._set_legend(labels)
            self._labels = labels
        self._draw_step()

    def _draw_step(self) -> None:
        """Cut every path at the current step: the only work a Play frame does."""
        v = self.values
        k = v["step"]
        a = self.artists
        chosen = set(v["optimizers"])
        a["start"].set_data([v["x0"]], [v["y0"]])
        a["now"].set_xdata([k, k])
        parts = []
        for n in self.optimizers:
            path, head, loss = a[f"path:{n}"], a[f"head:{n}"], a[f"loss:{n}"]
            if n not in chosen:
                continue
            t = self.traces[n]
            j = min(k, t.steps)
            xs = t.xs
            path.set_data(xs[: j + 1, 0], xs[: j + 1, 1])
            a[f"marks:{n}"].set_data(xs[: j + 1, 0], xs[: j + 1, 1])
            head.set_data(xs[j: j + 1, 0], xs[j: j + 1, 1])
            stopped = t.status == "diverged" and k >= t.diverged_at
            if stopped != self._stopped.get(n, False):
                self._stopped[n] = stopped
                if stopped:  # a large X, in the optimizer's colour with a black edge, where the run left
                    head.set(marker=DIVERGED_MARKER, markersize=16, markeredgewidth=1.5, markeredgecolor="black")
                else:
                    head.set(marker=race_style(n)["marker"], markersize=9, markeredgewidth=1,
                             markeredgecolor="black")
            gone = a[f"gone:{n}"]
            gone.set_visible(stopped)
            if stopped:  # the X and its word stay inside the axes, even if the run left far away
                (x_lo, x_hi), (y_lo, y_hi) = self.ax.get_xlim(), self.ax.get_ylim()
                px = float(np.clip(xs[j, 0], x_lo + 0.08 * (x_hi - x_lo), x_hi - 0.08 * (x_hi - x_lo)))
                py = float(np.clip(xs[j, 1], y_lo + 0.05 * (y_hi - y_lo), y_hi - 0.12 * (y_hi - y_lo)))
                head.set_data([px], [py])
                gone.set_position((px, py + 0.04 * (y_hi - y_lo)))
            loss.set_data(np.arange(j + 1), self._loss[n][: j + 1])
            if stopped:
                parts.append(f"{n}: diverged at step {t.diverged_at}")
            elif t.status == "converged" and k >= t.steps:
                parts.append(f"{n}: converged at step {t.steps}, f = {t.fs[j]:.3g}")
            else:
                parts.append(f"{n}: f = {t.fs[j]:.3g}")
        if not parts:
            self._set_status("choose at least one optimizer", _RED)
            return
        diverged = any("diverged" in p for p in parts)
        self._set_status(f"step {k}: " + " | ".join(parts), _RED if diverged else None)

    def update(self, **values: Any) -> None:
        """Set some values and redraw; a step alone only cuts the precomputed paths (fast)."""
        if set(values) == {"step"} and self.error is None and self.fig is not None and self.traces:
            try:
                self.values["step"] = _int("step", values["step"], 0, self.steps)
                self._sync_controls(values)
                self._draw_step()
                self._render()
                return
            except Exception as exc:  # noqa: BLE001 - routed to the status line, by design
                self._show_error(exc)
                return
        super().update(**values)


def optimizer_race(surface: str | None = None, optimizers: Any = None, x0: Sequence[float] | None = None,
                   steps: int = 300, *, surfaces: Any = None, lrs: Mapping[str, float] | None = None,
                   interval: int = 60, max_frames: int = 150,
                   figsize: tuple[float, float] | None = None) -> RaceExplorer:
    r"""Race several optimizers on one surface: a Play button, one learning-rate slider each (chapter 06).

    Parameters
    ----------
    surface : str, optional
        The surface to start with, a key of `surfaces` (default: the first,
        ``"rosenbrock"``).
    optimizers : list of str or dict, optional
        Names from :data:`RACE_OPTIMIZERS` to race (all of them are in the
        selector, these are ticked), or a dict ``name -> (lr -> optimizer)``
        of your own. Default: every race optimizer in the selector, with SGD,
        momentum, RMSprop and Adam ticked.
    x0 : (2,) array, optional
        The start (default: the surface's ``start``).
    steps : int
        Steps of each run, and the length of the step slider.
    surfaces : None, list or dict, optional
        The dropdown (default :func:`race_surfaces`).
    lrs : dict, optional
        Starting learning rates by optimizer name (default :func:`default_lr`).
    interval, max_frames : int
        Milliseconds between frames of the Play button; it skips steps so that a
        race has at most `max_frames` frames.

    Returns
    -------
    RaceExplorer
        ``values`` holds ``surface``, ``optimizers`` (a tuple of names), one
        ``lr_<name>`` per optimizer (``lr_adam``, ``lr_sgd``...), ``step``,
        ``x0`` and ``y0``; ``traces`` the runs by name.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> race = optimizer_race("rosenbrock", ["SGD", "Adam"], steps=100, figsize=(8, 3))
    >>> sorted(race.traces), race.values["lr_adam"]
    (['Adam', 'SGD'], 0.1)
    >>> race.update(step=10)
    >>> len(race.artists["path:Adam"].get_xdata())      # the first 11 iterates
    11
    >>> race.update(lr_sgd=0.008)                       # too large for SGD here
    >>> race.status_text.split(" | ")[0]
    'step 10: SGD: diverged at step 4'
    >>> race.update(step=2)
    >>> race.status_text.split(" | ")[0]
    'step 2: SGD: f = 8.42e+03'
    >>> race.update(lr_adam=-1.0)                       # shown, not raised
    >>> race.status_text
    '⚠ ValueError: lr_adam must be > 0, got -1.0'
    >>> race.close()
    """
    return RaceExplorer(surfaces, optimizers, surface=surface, x0=x0, steps=steps, lrs=lrs, interval=interval,
                        max_frames=max_frames, figsize=figsize)
