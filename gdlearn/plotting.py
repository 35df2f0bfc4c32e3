"""Static plots of surfaces, paths and losses: the course's one plotting vocabulary.

Every helper takes ``ax=None`` (``None`` means the current axes,
``plt.gca()``), draws on it, labels it and returns the artists it made — as a
small named tuple when there are several — so a chapter can restyle them or
update their data. Nothing here calls ``plt.show()``. Grids come from the
:class:`~gdlearn.surfaces.Surface` (its ``domain``, ``minima`` and
``log_scale``), never from hard-coded ranges. Colours and markers come from
:mod:`gdlearn.style`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from gdlearn import plotting
>>> from gdlearn.surfaces import rosenbrock
>>> fig, ax = plt.subplots()
>>> c = plotting.plot_contours(rosenbrock, ax=ax)
>>> ax.get_xlim() == rosenbrock.domain[0]
True
>>> plt.close(fig)
"""
from __future__ import annotations

import functools
from typing import Any, NamedTuple, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib import transforms as mtransforms
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import style

__all__ = [
    "plot_contours",
    "plot_path",
    "plot_loss",
    "plot_gradient_field",
    "plot_surface3d",
    "plot_function",
    "plot_tangent",
    "plot_basins",
    "plot_lr_sweep",
    "surface_grid",
    "new_figure",
    "ipympl_active",
    "contour_levels",
    "tangent_data",
    "basin_labels",
    "ContourArtists",
    "PathArtists",
    "GradientFieldArtists",
    "Surface3DArtists",
    "FunctionArtists",
    "TangentArtists",
    "BasinArtists",
    "LrSweepArtists",
]


class ContourArtists(NamedTuple):
    filled: Any        # QuadContourSet or None
    lines: Any         # QuadContourSet
    minima: Line2D | None


class PathArtists(NamedTuple):
    line: Line2D
    start: Line2D
    end: Line2D


class GradientFieldArtists(NamedTuple):
    quiver: Any
    contours: ContourArtists | None
    colorbar: Any


class Surface3DArtists(NamedTuple):
    surface: Any
    path: Any


class FunctionArtists(NamedTuple):
    line: Line2D
    minima: Line2D | None


class TangentArtists(NamedTuple):
    line: Line2D
    point: Line2D


class BasinArtists(NamedTuple):
    image: Any         # AxesImage, or a PathCollection when the starts are not a grid
    minima: Line2D | None
    legend: Any


class LrSweepArtists(NamedTuple):
    line: Line2D
    diverged: Line2D
    threshold: Line2D | None


# ---------------------------------------------------------------- figures
def ipympl_active() -> bool:
    """True when the current matplotlib backend is ipympl (``%matplotlib widget``)."""
    try:
        backend = matplotlib.get_backend(auto_select=False)
    except TypeError:  # matplotlib < 3.10
        backend = matplotlib.rcParams["backend"]
    name = str(backend or "").lower()
    return "ipympl" in name or name == "widget"


def new_figure(figsize: tuple[float, float] | None = None) -> Figure:
    """A figure for an explorer or an animation, which the inline backend never shows by itself.

    With ipympl active it is a pyplot figure on a live canvas widget (made with
    ``plt.ioff()`` so that it is shown only where its owner puts it); otherwise a
    plain :class:`~matplotlib.figure.Figure` on an Agg canvas, not registered with
    pyplot, so the inline backend does not add a still copy at the end of the cell.
    """
    figsize = style.FIGSIZE["single"] if figsize is None else figsize
    if ipympl_active():
        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
        fig.canvas.header_visible = False
        return fig
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


# ---------------------------------------------------------------- helpers
def _axes(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _check_surface(surface: Any, dim: int, name: str = "surface") -> None:
    domain = getattr(surface, "domain", None)
    if domain is None or not callable(getattr(surface, "f", None)):
        raise TypeError(f"{name} must be a gdlearn Surface (with .f and .domain), "
                        f"got {type(surface).__name__}")
    if len(domain) != dim:
        raise ValueError(f"{name} must be {dim}-D, got a {len(domain)}-D surface {surface.name!r}")


def _minima(surface: Any) -> np.ndarray:
    m = getattr(surface, "minima", None)
    d = len(surface.domain)
    return np.zeros((0, d)) if m is None else np.asarray(m, dtype=float).reshape(-1, d)


def _f_star(surface: Any) -> float | None:
    """Value at the global minimum (first row of ``minima``), None when there is none."""
    m = _minima(surface)
    return float(np.asarray(surface.f(m[0]))) if len(m) else None


@functools.lru_cache(maxsize=32)
def _grid_cached(surface: Any, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = surface.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(surface.f(np.stack([X, Y])), dtype=float)
    for a in (X, Y, Z):
        a.setflags(write=False)
    return X, Y, Z


def surface_grid(surface: Any, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Meshgrid ``X, Y`` over the surface's domain and ``Z = f(X, Y)`` (cached, read-only).

    Examples
    --------
    >>> from gdlearn.surfaces import rosenbrock
    >>> X, Y, Z = surface_grid(rosenbrock, 5)
    >>> float(X.min()), float(Y.max()), Z.shape
    (-2.0, 3.0, (5, 5))
    """
    _check_surface(surface, 2)
    if not (isinstance(resolution, (int, np.integer)) and resolution >= 2):
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    return _grid_cached(surface, int(resolution))


def contour_levels(surface: Any, Z: np.ndarray, levels: int | Sequence[float] = 20) -> np.ndarray:
    """Contour levels for `Z`: log-spaced above the minimum when ``surface.log_scale``.

    Otherwise the levels are quadratically spaced above the minimum (so a quadratic
    bowl shows equally spaced ellipses) or, for a surface unbounded below
    (no minima, e.g. the saddle), evenly spaced.
    """
    if not isinstance(levels, (int, np.integer)):
        lv = np.asarray(levels, dtype=float)
        if lv.ndim != 1 or lv.size < 1:
            raise ValueError(f"levels must be an int >= 2 or a 1-D sequence, got {levels!r}")
        return lv
    if levels < 2:
        raise ValueError(f"levels must be >= 2, got {levels}")
    finite = Z[np.isfinite(Z)]
    zmin, zmax = float(finite.min()), float(finite.max())
    f_star = _f_star(surface)
    bottom = zmin if f_star is None else min(zmin, f_star)
    span = zmax - bottom
    if span <= 0:
        return np.array([zmin])
    if getattr(surface, "log_scale", False):
        excess = finite - bottom
        positive = excess[excess > 0]
        lo = max(float(np.percentile(positive, 0.5)), span * 1e-9) if positive.size else span * 1e-6
        return bottom + np.logspace(np.log10(lo), np.log10(span), levels)
    if f_star is None:
        return np.linspace(zmin, zmax, levels + 2)[1:-1]
    t = np.linspace(0.0, 1.0, levels + 1)[1:]
    return bottom + span * t**2


def _background_cmap() -> mcolors.Colormap:
    # a pale slice of Greys: low values mid-grey, high values white, so paths stay visible
    base = plt.get_cmap(style.CONTOUR_CMAP)
    return mcolors.ListedColormap(base(np.linspace(0.45, 1.0, 256)), name="gdlearn_background")


def _set_domain(ax: Axes, surface: Any) -> None:
    (x0, x1), (y0, y1) = surface.domain
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ratio = (y1 - y0) / (x1 - x0)
    if 1 / 3 <= ratio <= 3:
        ax.set_aspect("equal", adjustable="box")  # gradients look perpendicular to contours
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")


def _next_color(ax: Axes) -> str:
    try:  # matplotlib has no public "next colour of this axes" API
        return ax._get_lines.get_next_color()
    except Exception:  # pragma: no cover - private API moved
        return style.OPTIMIZER_COLORS["sgd"]


def _xs_of(trace_or_xs: Any) -> np.ndarray:
    xs = getattr(trace_or_xs, "xs", trace_or_xs)
    xs = np.asarray(xs, dtype=float)
    if xs.ndim == 1:
        xs = xs[:, None]
    if xs.ndim != 2 or xs.shape[0] < 1:
        raise ValueError(f"trace_or_xs must be a Trace or an array of shape (k, d), got shape {xs.shape}")
    return xs


# ---------------------------------------------------------------- 2-D surfaces
def plot_contours(surface: Any, ax: Axes | None = None, levels: int | Sequence[float] = 20,
                  resolution: int = 200, *, filled: bool = True, mark_minima: bool = True,
                  title: str | None = None) -> ContourArtists:
    """Contours of a 2-D surface over its own domain, minima marked with stars.

    Parameters
    ----------
    surface : Surface
        A 2-D surface; the grid spans ``surface.domain``.
    ax : Axes, optional
        Axes to draw on (default: the current axes).
    levels : int or sequence of float
        Number of levels (log-spaced above the minimum when ``surface.log_scale``)
        or explicit level values.
    resolution : int
        Grid points per axis.
    filled : bool
        Also draw pale filled contours underneath the lines.
    mark_minima : bool
        Mark ``surface.minima`` (label ``"minimum"``).
    title : str, optional
        Defaults to the surface's name.

    Returns
    -------
    ContourArtists
        ``(filled, lines, minima)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdlearn.surfaces import himmelblau
    >>> fig, ax = plt.subplots()
    >>> art = plot_contours(himmelblau, ax=ax)
    >>> art.minima.get_xdata().shape
    (4,)
    >>> plt.close(fig)
    """
    _check_surface(surface, 2)
    ax = _axes(ax)
    X, Y, Z = surface_grid(surface, resolution)
    lv = contour_levels(surface, Z, levels)
    Zc = np.where(np.isfinite(Z), Z, np.nanmax(np.where(np.isfinite(Z), Z, np.nan)))
    fill = None
    if filled and len(lv) > 1:
        # fill between the levels (plus everything above the top one) on a rank scale
        edges = np.concatenate([[min(Zc.min(), lv[0]) - 1.0], lv, [max(Zc.max(), lv[-1]) + 1.0]])
        fill = ax.contourf(X, Y, Zc, levels=edges, cmap=_background_cmap(),
                           norm=mcolors.BoundaryNorm(edges, 256), zorder=0)
    lines = ax.contour(X, Y, Zc, levels=lv, colors="#4d4d4d", linewidths=0.6, alpha=0.7,
                       zorder=1, negative_linestyles="solid")
    mins = None
    m = _minima(surface)
    if mark_minima and len(m):
        mins = ax.plot(m[:, 0], m[:, 1], label="minimum" if len(m) == 1 else "minima",
                       **style.MINIMUM_STYLE)[0]
    _set_domain(ax, surface)
    ax.set_title(surface.name if title is None else title)
    return ContourArtists(fill, lines, mins)


def plot_path(trace_or_xs: Any, ax: Axes | None = None, color: str | None = None,
              label: str | None = None, *, surface: Any = None, markers: bool = True,
              legend: bool | None = None, **line_kw: Any) -> PathArtists:
    """An optimization path: a line through the iterates, a hollow start, a filled end.

    Parameters
    ----------
    trace_or_xs : Trace or array of shape (k, d)
        The iterates. For a 1-D problem (d = 1) the path is drawn on the curve,
        at ``(x_k, f(x_k))``, using ``trace.fs`` or `surface`.
    color : str, optional
        Defaults to the optimizer colour of `label` (``"adam"`` is always vermillion),
        else the next colour of the axes.
    label : str, optional
        Legend label (a legend is added when given, unless ``legend=False``).
    surface : Surface, optional
        Needed only for a raw 1-D array without ``fs``.
    markers : bool
        Mark every iterate with a small dot.

    Returns
    -------
    PathArtists
        ``(line, start, end)``; the end is an ``X`` when the trace diverged.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> art = plot_path([[0., 0.], [1., 0.5], [1.5, 1.0]], ax=ax, label="sgd")
    >>> art.line.get_xdata().tolist(), art.line.get_color()
    ([0.0, 1.0, 1.5], '#0072B2')
    >>> plt.close(fig)
    """
    ax = _axes(ax)
    xs = _xs_of(trace_or_xs)
    if xs.shape[1] == 1:
        fs = getattr(trace_or_xs, "fs", None)
        if fs is None:
            if surface is None:
                raise ValueError("a 1-D path needs a Trace with fs or surface=... to place it on the curve")
            fs = np.asarray(surface.f(xs.T), dtype=float)
        px, py = xs[:, 0], np.asarray(fs, dtype=float).reshape(-1)
    elif xs.shape[1] == 2:
        px, py = xs[:, 0], xs[:, 1]
    else:
        raise ValueError(f"trace_or_xs must hold 1-D or 2-D points, got dimension {xs.shape[1]}")
    if color is None:
        color = style.color_for(label) if label else _next_color(ax)
    kw = {"color": color, "linewidth": style.POINT_STYLE["linewidth"], "zorder": 4}
    if markers:
        kw.update(marker="o", markersize=style.POINT_STYLE["markersize"])
    kw.update(line_kw)
    line = ax.plot(px, py, label=label, **kw)[0]
    start = ax.plot(px[:1], py[:1], markeredgecolor=color, **style.START_STYLE)[0]
    end_kw = dict(style.END_STYLE, markerfacecolor=color)
    if getattr(trace_or_xs, "status", None) == "diverged":
        end_kw.update(marker="X", markersize=10)
    end = ax.plot(px[-1:], py[-1:], **end_kw)[0]
    if legend or (legend is None and label):
        ax.legend(loc="best")
    return PathArtists(line, start, end)


def _loss_series(traces_or_fs: Any, labels: Sequence[str] | None) -> list[tuple[str | None, np.ndarray]]:
    if isinstance(traces_or_fs, dict):
        items = list(traces_or_fs.items())
    elif hasattr(traces_or_fs, "fs") or (isinstance(traces_or_fs, np.ndarray) and traces_or_fs.ndim == 1):
        items = [(None, traces_or_fs)]
    elif isinstance(traces_or_fs, (list, tuple)) and traces_or_fs and np.isscalar(traces_or_fs[0]):
        items = [(None, traces_or_fs)]
    elif isinstance(traces_or_fs, (list, tuple)):
        items = [(None, t) for t in traces_or_fs]
    else:
        raise TypeError("traces_or_fs must be a Trace, an array of losses, or a list/dict of them, "
                        f"got {type(traces_or_fs).__name__}")
    if labels is not None:
        if len(labels) != len(items):
            raise ValueError(f"labels must have one entry per series ({len(items)}), got {len(labels)}")
        items = [(lab, v) for lab, (_, v) in zip(labels, items)]
    out = []
    for lab, v in items:
        fs = np.asarray(getattr(v, "fs", v), dtype=float)
        if fs.ndim != 1:
            raise ValueError(f"losses must be 1-D, got shape {fs.shape}")
        out.append((lab, fs))
    return out


def plot_loss(traces_or_fs: Any, ax: Axes | None = None, log: bool = True, *,
              labels: Sequence[str] | None = None, f_star: float | None = None,
              colors: Sequence[str] | None = None) -> list[Line2D]:
    """Loss against step for one or several runs.

    Parameters
    ----------
    traces_or_fs : Trace, array, list of them, or dict name -> Trace/array
        With a dict, keys are the labels and optimizer names pick the colours.
    log : bool
        Log-scaled y axis (non-positive values are not shown: pass `f_star`).
    labels : sequence of str, optional
    f_star : float, optional
        Subtract the optimal value and plot the sub-optimality ``f(x_k) − f*``.
    colors : sequence of str, optional

    Returns
    -------
    list of Line2D

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> lines = plot_loss({"sgd": [4.0, 2.0, 1.0], "adam": [4.0, 1.0, 0.5]}, ax=ax)
    >>> [ln.get_label() for ln in lines], ax.get_yscale()
    (['sgd', 'adam'], 'log')
    >>> plt.close(fig)
    """
    ax = _axes(ax)
    series = _loss_series(traces_or_fs, labels)
    if colors is not None and len(colors) != len(series):
        raise ValueError(f"colors must have one entry per series ({len(series)}), got {len(colors)}")
    lines = []
    for i, (lab, fs) in enumerate(series):
        y = fs - f_star if f_star is not None else fs
        if colors is not None:
            c = colors[i]
        else:
            c = style.color_for(lab) if lab else _next_color(ax)
        ls = style.optimizer_style(lab)["linestyle"] if lab else "-"
        lines.append(ax.plot(np.arange(len(y)), y, color=c, linestyle=ls, label=lab)[0])
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step $k$")
    ax.set_ylabel(r"$f(x_k) - f^*$" if f_star is not None else "$f(x_k)$")
    ax.set_title("Loss")
    if any(lab for lab, _ in series):
        ax.legend(loc="best")
    return lines


def plot_gradient_field(surface: Any, ax: Axes | None = None, density: int = 20, *,
                        negative: bool = True, contours: bool = True,
                        colorbar: bool = True) -> GradientFieldArtists:
    """Arrows of −∇f (or ∇f) on a grid, all the same length, coloured by ‖∇f‖.

    Parameters
    ----------
    density : int
        Arrows per axis.
    negative : bool
        Draw −∇f, the steepest-descent direction (default), else ∇f.
    contours : bool
        Draw the contours underneath (the arrows cross them at right angles).
    colorbar : bool
        Add a colour bar for the magnitude (log scale when it spans > 2 decades).

    Returns
    -------
    GradientFieldArtists
        ``(quiver, contours, colorbar)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdlearn.surfaces import himmelblau
    >>> fig, ax = plt.subplots()
    >>> art = plot_gradient_field(himmelblau, ax=ax, density=10)
    >>> art.quiver.N
    100
    >>> plt.close(fig)
    """
    _check_surface(surface, 2)
    if not (isinstance(density, (int, np.integer)) and 2 <= density <= 200):
        raise ValueError(f"density must be an int in [2, 200], got {density!r}")
    ax = _axes(ax)
    cont = plot_contours(surface, ax=ax, filled=False) if contours else None
    (x0, x1), (y0, y1) = surface.domain
    dx, dy = (x1 - x0) / density, (y1 - y0) / density
    X, Y = np.meshgrid(np.linspace(x0 + dx / 2, x1 - dx / 2, density),
                       np.linspace(y0 + dy / 2, y1 - dy / 2, density))
    with np.errstate(all="ignore"):
        G = np.asarray(surface.grad(np.stack([X, Y])), dtype=float)
    if negative:
        G = -G
    mag = np.hypot(G[0], G[1])
    safe = np.where(mag > 0, mag, 1.0)
    U, V = G[0] / safe, G[1] / safe
    positive = mag[np.isfinite(mag) & (mag > 0)]
    norm = None
    if positive.size and positive.max() / positive.min() > 100:
        norm = mcolors.LogNorm(vmin=positive.min(), vmax=positive.max())
    C = np.where(mag > 0, mag, np.nan)
    length = 0.8 * min(dx, dy)     # arrow length in data units: direction only, colour = size
    q = ax.quiver(X, Y, U * length, V * length, C, angles="xy", scale_units="xy", scale=1.0,
                  cmap=style.FIELD_CMAP, norm=norm, width=0.004, zorder=3, pivot="mid")
    cbar = None
    if colorbar:
        cbar = ax.figure.colorbar(q, ax=ax, shrink=0.85)
        cbar.set_label(r"$\|\nabla f\|$")
    _set_domain(ax, surface)
    ax.set_title((r"$-\nabla f$ (steepest descent)" if negative else r"$\nabla f$ (steepest ascent)")
                 + f": {surface.name}")
    return GradientFieldArtists(q, cont, cbar)


def plot_surface3d(surface: Any, ax: Axes | None = None, resolution: int = 50, *,
                   trace: Any = None, log: bool | None = None,
                   view: tuple[float, float] | None = (40.0, -120.0)) -> Surface3DArtists:
    """The surface as a 3-D plot, optionally with a path lying on it.

    Parameters
    ----------
    ax : Axes3D, optional
        A 3-D axes; by default a new figure with one is made.
    trace : Trace or array (k, 2), optional
        Path drawn on the surface.
    log : bool, optional
        Plot ``log10(1 + f − f*)`` (default: ``surface.log_scale``) so a steep
        surface such as Rosenbrock does not hide its valley.
    view : (elevation, azimuth) in degrees, optional
        Camera angle (``None`` keeps the axes' own); the default looks along the
        valleys rather than across them.

    Returns
    -------
    Surface3DArtists
        ``(surface, path)``.
    """
    _check_surface(surface, 2)
    if ax is None:
        fig = plt.figure(figsize=style.FIGSIZE["3d"])
        ax = fig.add_subplot(projection="3d")
    elif not hasattr(ax, "plot_surface"):
        raise TypeError("ax must be a 3-D axes (projection='3d')")
    log = surface.log_scale if log is None else log
    X, Y, Z = surface_grid(surface, resolution)
    f_star = _f_star(surface)
    lo = np.nanmin(Z) if f_star is None else min(np.nanmin(Z), f_star)

    def tz(z: np.ndarray) -> np.ndarray:
        return np.log10(1.0 + np.asarray(z) - lo) if log else np.asarray(z)

    surf = ax.plot_surface(X, Y, tz(Z), cmap=style.SURFACE_CMAP, linewidth=0, antialiased=False,
                           rcount=resolution, ccount=resolution)
    path = None
    if trace is not None:
        ax.computed_zorder = False  # depth sorting would bury the path under the surface
        xs = _xs_of(trace)
        fs = np.asarray(surface.f(xs.T), dtype=float)
        path = ax.plot(xs[:, 0], xs[:, 1], tz(fs), color=style.OPTIMIZER_COLORS["sgd"],
                       marker="o", markersize=2, zorder=10)[0]
    if view is not None:
        ax.view_init(*view)
    ax.locator_params(nbins=5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel(r"$\log_{10}(1 + f - f^*)$" if log else "$f(x, y)$")
    ax.set_title(surface.name)
    return Surface3DArtists(surf, path)


# ---------------------------------------------------------------- 1-D
def plot_function(surface1d: Any, ax: Axes | None = None, resolution: int = 400, *,
                  mark_minima: bool = True, color: str = "black") -> FunctionArtists:
    """The graph of a 1-D surface over its domain, minima marked.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdlearn.surfaces import parabola
    >>> fig, ax = plt.subplots()
    >>> art = plot_function(parabola, ax=ax)
    >>> ax.get_xlim() == parabola.domain[0]
    True
    >>> plt.close(fig)
    """
    _check_surface(surface1d, 1, "surface1d")
    ax = _axes(ax)
    (x0, x1), = surface1d.domain
    x = np.linspace(x0, x1, resolution)
    y = np.asarray(surface1d.f(x[None, :]), dtype=float)
    line = ax.plot(x, y, color=color, linewidth=1.8, label=surface1d.latex or surface1d.name)[0]
    mins = None
    m = _minima(surface1d)
    if mark_minima and len(m):
        fm = np.asarray(surface1d.f(m.T), dtype=float)
        mins = ax.plot(m[:, 0], fm, label="minimum" if len(m) == 1 else "minima",
                       **style.MINIMUM_STYLE)[0]
    ax.set_xlim(x0, x1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(surface1d.name + (f": {surface1d.latex}" if surface1d.latex else ""))
    return FunctionArtists(line, mins)


def tangent_data(surface1d: Any, x: float, width: float | None = None
                 ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Segment of the tangent at `x`: ``(xs, ys, f(x), f'(x))`` (used by the tangent explorer)."""
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"x must be finite, got {x}")
    (x0, x1), = surface1d.domain
    w = 0.2 * (x1 - x0) if width is None else float(width)
    if not w > 0:
        raise ValueError(f"width must be > 0, got {width}")
    fx = float(np.asarray(surface1d.f(np.array([x]))))
    slope = float(np.asarray(surface1d.grad(np.array([x]))).reshape(-1)[0])
    xs = np.array([x - w, x + w])
    return xs, fx + slope * (xs - x), fx, slope


def plot_tangent(surface1d: Any, x: float, ax: Axes | None = None, *, width: float | None = None,
                 color: str | None = None) -> TangentArtists:
    """The tangent line of a 1-D surface at `x`, labelled with its slope f'(x).

    Parameters
    ----------
    x : float
        Point of tangency.
    width : float, optional
        Half-length of the segment along x (default: a fifth of the domain).

    Returns
    -------
    TangentArtists
        ``(line, point)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdlearn.surfaces import parabola
    >>> fig, ax = plt.subplots()
    >>> art = plot_tangent(parabola, 1.0, ax=ax)
    >>> art.line.get_label()
    "slope $f'(1.00)$ = 2.00"
    >>> plt.close(fig)
    """
    _check_surface(surface1d, 1, "surface1d")
    ax = _axes(ax)
    xs, ys, fx, slope = tangent_data(surface1d, x, width)
    color = style.PALETTE["vermillion"] if color is None else color
    line = ax.plot(xs, ys, color=color, linewidth=2.2, label=f"slope $f'({x:.2f})$ = {slope:.2f}",
                   zorder=4)[0]
    point = ax.plot([x], [fx], color=color, markeredgecolor="black", marker="o", markersize=8,
                    linestyle="none", zorder=5)[0]
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    return TangentArtists(line, point)


# ---------------------------------------------------------------- many runs
_BASIN_COLORS = [style.PALETTE[k] for k in ("orange", "sky_blue", "bluish_green", "reddish_purple",
                                              "blue", "vermillion", "yellow")]


def basin_labels(manytrace: Any, surface: Any, radius: float | None = None) -> np.ndarray:
    """Per start: index of the minimum reached, −1 not reached (yet), −2 diverged.

    A start "reaches" minimum i when its run did not diverge and ends within
    `radius` of it (default: 1 % of the domain's diagonal) or converged nearest to it.
    """
    m = _minima(surface)
    x = np.asarray(manytrace.x, dtype=float)
    status = np.asarray(manytrace.status).astype(str)
    diverged = (status == "diverged") | ~np.all(np.isfinite(x), axis=1)
    lab = np.full(len(x), -1, dtype=int)
    if len(m):
        (a0, a1), (b0, b1) = surface.domain
        r = 0.01 * np.hypot(a1 - a0, b1 - b0) if radius is None else float(radius)
        with np.errstate(invalid="ignore"):
            d = np.linalg.norm(x[:, None, :] - m[None, :, :], axis=-1)
        d = np.where(np.isfinite(d), d, np.inf)
        near = np.argmin(d, axis=1)
        reached = (d[np.arange(len(x)), near] <= r) | (status == "converged")
        lab[reached] = near[reached]
    lab[diverged] = -2
    return lab


def _as_grid(x0s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(ux, uy, iy, ix) when the starts form a full rectangular grid, else None."""
    ux, ix = np.unique(x0s[:, 0], return_inverse=True)
    uy, iy = np.unique(x0s[:, 1], return_inverse=True)
    if len(ux) * len(uy) != len(x0s) or len(ux) < 2 or len(uy) < 2:
        return None
    seen = np.zeros((len(uy), len(ux)), dtype=bool)
    seen[iy, ix] = True
    return (ux, uy, iy, ix) if seen.all() else None


def plot_basins(manytrace: Any, surface: Any, ax: Axes | None = None, *,
                radius: float | None = None, legend: bool = True) -> BasinArtists:
    """Which minimum each start reaches: an image over the grid of starts.

    Diverged starts are dark grey, starts that reached no minimum within the
    step budget light grey; minima are marked with stars.

    Parameters
    ----------
    manytrace : ManyTrace
        From :func:`gdlearn.run.run_many`. When its ``x0s`` form a full grid
        (e.g. from ``np.meshgrid``) an image is drawn, else a scatter plot.
    surface : Surface
        The surface the runs were made on (its minima and domain).
    radius : float, optional
        See :func:`basin_labels`.

    Returns
    -------
    BasinArtists
        ``(image, minima, legend)``.
    """
    _check_surface(surface, 2)
    ax = _axes(ax)
    x0s = np.asarray(manytrace.x0s, dtype=float)
    lab = basin_labels(manytrace, surface, radius)
    m = _minima(surface)
    colors = [style.DIVERGED_COLOR, style.UNCONVERGED_COLOR] + [
        _BASIN_COLORS[i % len(_BASIN_COLORS)] for i in range(max(len(m), 1))]
    cmap = mcolors.ListedColormap(colors)
    norm = mcolors.BoundaryNorm(np.arange(-2.5, len(colors) - 2 + 0.5), cmap.N)
    grid = _as_grid(x0s)
    if grid is not None:
        ux, uy, iy, ix = grid
        img = np.empty((len(uy), len(ux)))
        img[iy, ix] = lab
        hx, hy = (ux[-1] - ux[0]) / (len(ux) - 1) / 2, (uy[-1] - uy[0]) / (len(uy) - 1) / 2
        art = ax.imshow(img, origin="lower", cmap=cmap, norm=norm, interpolation="nearest",
                        extent=(ux[0] - hx, ux[-1] + hx, uy[0] - hy, uy[-1] + hy), zorder=0)
    else:
        art = ax.scatter(x0s[:, 0], x0s[:, 1], c=lab, cmap=cmap, norm=norm, s=6, linewidths=0)
    mins = ax.plot(m[:, 0], m[:, 1], **style.MINIMUM_STYLE)[0] if len(m) else None
    leg = None
    if legend:
        handles = [Patch(color=colors[i + 2], label=f"→ ({p[0]:.2f}, {p[1]:.2f})")
                   for i, p in enumerate(m)]
        if np.any(lab == -1):
            handles.append(Patch(color=style.UNCONVERGED_COLOR, label="no minimum reached"))
        if np.any(lab == -2):
            handles.append(Patch(color=style.DIVERGED_COLOR, label="diverged"))
        leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                        borderaxespad=0.0, title="start goes to")
    _set_domain(ax, surface)
    ax.set_title(f"Basins of attraction: {surface.name}")
    return BasinArtists(art, mins, leg)


def plot_lr_sweep(lrs: Any, results: Any, ax: Axes | None = None, *, L: float | None = None,
                  f_star: float | None = None, label: str | None = None,
                  color: str | None = None) -> LrSweepArtists:
    """Final loss against learning rate, on log–log axes; diverged runs marked ✕ at the top.

    Parameters
    ----------
    lrs : array of shape (n,)
    results : ManyTrace or array of shape (n,)
        The runs (one per learning rate; ``status == "diverged"`` is marked)
        or just their final losses (non-finite = diverged).
    L : float, optional
        Smoothness constant: draws the ``lr = 2/L`` stability threshold.
    f_star : float, optional
        Subtract the optimal value.

    Returns
    -------
    LrSweepArtists
        ``(line, diverged, threshold)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> art = plot_lr_sweep([0.01, 0.1, 1.0], [1.0, 0.01, float("inf")], ax=ax, L=10)
    >>> art.diverged.get_xdata().tolist(), art.threshold.get_xdata()[0]
    ([1.0], 0.2)
    >>> plt.close(fig)
    """
    ax = _axes(ax)
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    finals = np.asarray(getattr(results, "f", results), dtype=float).reshape(-1)
    if finals.shape != lrs.shape:
        raise ValueError(f"results must have one final loss per learning rate ({lrs.size}), got {finals.size}")
    if np.any(~(lrs > 0)):
        raise ValueError("lrs must all be > 0 (they are plotted on a log axis)")
    diverged = ~np.isfinite(finals)
    status = getattr(results, "status", None)
    if status is not None:
        diverged |= np.asarray(status).astype(str) == "diverged"
    y = finals - f_star if f_star is not None else finals
    order = np.argsort(lrs)
    lrs, y, diverged = lrs[order], y[order], diverged[order]
    color = (style.color_for(label) if label else style.OPTIMIZER_COLORS["sgd"]) if color is None else color
    ok = ~diverged
    line = ax.plot(lrs[ok], y[ok], color=color, marker="o", markersize=4, label=label)[0]
    top = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    div = ax.plot(lrs[diverged], np.full(diverged.sum(), 0.96), transform=top, linestyle="none",
                  marker="x", markersize=8, markeredgewidth=2, color=style.PALETTE["vermillion"],
                  label="diverged", clip_on=False)[0]
    thr = None
    if L is not None:
        if not L > 0:
            raise ValueError(f"L must be > 0, got {L}")
        thr = ax.axvline(2.0 / L, color="black", linestyle="--", linewidth=1,
                         label=f"$2/L$ = {2.0 / L:.3g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(r"final $f(x_T) - f^*$" if f_star is not None else "final loss $f(x_T)$")
    ax.set_title("Final loss vs learning rate")
    ax.legend(loc="best")
    return LrSweepArtists(line, div, thr)
