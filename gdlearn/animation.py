"""Animations of optimization paths that survive a static export.

:func:`animate_trace` returns a :class:`~matplotlib.animation.FuncAnimation` of
one or several paths moving over a surface, on a small figure and with a
bounded number of frames (long runs are subsampled). :func:`to_html` turns it
into self-contained JavaScript/PNG HTML (``to_jshtml``: no ffmpeg needed) and
closes the figure, so the inline backend does not show a still copy as well::

    from gdlearn.animation import animate_trace, to_html
    to_html(animate_trace({"sgd": t1, "momentum": t2}, rosenbrock))

For a live replay with a Play button, see :func:`gdlearn.widgets.descent_player`.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from . import plotting, style

__all__ = ["animate_trace", "to_html", "frame_indices"]


def frame_indices(n_steps: int, max_frames: int = 60, spacing: str = "even") -> np.ndarray:
    """Steps shown by an animation of a run with `n_steps` steps: at most `max_frames`.

    Always includes the start (0) and the last step. ``spacing="even"`` spaces
    the frames evenly in between; ``"log"`` evenly in log(1 + k), so the first
    steps (where a run often changes most) get their own frames.

    Examples
    --------
    >>> frame_indices(5).tolist()
    [0, 1, 2, 3, 4, 5]
    >>> idx = frame_indices(1000, max_frames=4)
    >>> idx.tolist()
    [0, 333, 667, 1000]
    >>> frame_indices(1000, max_frames=6, spacing="log").tolist()
    [0, 3, 15, 62, 250, 1000]
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 2:
        raise ValueError(f"max_frames must be an int >= 2, got {max_frames!r}")
    if spacing not in ("even", "log"):
        raise ValueError(f"spacing must be 'even' or 'log', got {spacing!r}")
    count = min(int(n_steps) + 1, int(max_frames))
    if spacing == "even":
        return np.unique(np.round(np.linspace(0, n_steps, count)).astype(int))
    # log: as many distinct steps as allowed; where log spacing would repeat a small step,
    # take the next one (every step is its own frame at the start)
    steps = np.round(np.geomspace(1, n_steps + 1, count)).astype(int) - 1
    for i in range(1, count):
        steps[i] = max(steps[i], steps[i - 1] + 1)
    for i in range(count - 2, -1, -1):  # keep the last step last
        steps[i] = min(steps[i], steps[i + 1] - 1)
    return steps


def _named_paths(traces: Any, labels: Sequence[str] | None) -> list[tuple[str | None, Any]]:
    if isinstance(traces, Mapping):
        items = list(traces.items())
    elif hasattr(traces, "xs") or (isinstance(traces, np.ndarray) and traces.ndim == 2):
        items = [(None, traces)]
    elif isinstance(traces, (list, tuple)):
        items = [(None, t) for t in traces]
    else:
        raise TypeError("traces must be a Trace, an array (k, d), or a list/dict of them, "
                        f"got {type(traces).__name__}")
    if not items:
        raise ValueError("traces must not be empty")
    if labels is not None:
        if len(labels) != len(items):
            raise ValueError(f"labels must have one entry per trace ({len(items)}), got {len(labels)}")
        items = [(lab, t) for lab, (_, t) in zip(labels, items)]
    return items


def animate_trace(traces: Any, surface: Any, *, labels: Sequence[str] | None = None,
                  max_frames: int = 60, interval: int = 100, dpi: float = 80,
                  figsize: tuple[float, float] | None = None, spacing: str = "even") -> FuncAnimation:
    """Animate one or several optimization paths over a surface.

    Parameters
    ----------
    traces : Trace, array (k, d), list or dict name -> Trace
        The runs (1-D or 2-D). With a dict, keys label the paths and optimizer
        names pick the course colours.
    surface : Surface
        Contours (2-D) or the graph (1-D) in the background.
    labels : sequence of str, optional
    max_frames : int
        Upper bound on the number of frames; longer runs are subsampled.
    spacing : {"even", "log"}
        How longer runs are subsampled: evenly in steps, or evenly in log(1 + k)
        (the first steps each get a frame); see :func:`frame_indices`.
    interval : int
        Milliseconds between frames.
    dpi : float
        Resolution of the frames (each frame is a PNG inside the HTML: 80 dpi on the
        small figure keeps 60 frames near 2.5 MB).
    figsize : (float, float), optional
        Default :data:`gdlearn.style.FIGSIZE` ``["small"]``.

    Returns
    -------
    FuncAnimation
        Display with :func:`to_html`. Extra attributes: ``frame_steps`` (the step
        shown in each frame) and ``artists`` (``"paths"``, ``"heads"``, ``"title"``).
        The title shows the step, and for a single run with recorded values
        (a :class:`~gdlearn.run.Trace`) its loss ``f`` at that step.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gdlearn.surfaces import rosenbrock
    >>> from gdlearn.optim import sgd
    >>> from gdlearn.run import run
    >>> trace = run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 500)
    >>> anim = animate_trace({"sgd": trace}, rosenbrock, max_frames=4)
    >>> anim.frame_steps.tolist()
    [0, 167, 333, 500]
    >>> html = to_html(anim)        # in a notebook: the last expression of the cell
    >>> html.data.count("data:image/png")
    4
    """
    items = _named_paths(traces, labels)
    if isinstance(interval, bool) or not isinstance(interval, (int, np.integer)) or interval < 1:
        raise ValueError(f"interval must be an int >= 1 (milliseconds), got {interval!r}")
    dim = len(surface.domain)
    if not (isinstance(dpi, (int, float)) and 10 <= dpi <= 600):
        raise ValueError(f"dpi must be a number in [10, 600], got {dpi!r}")
    fig = plotting.new_figure(style.FIGSIZE["small"] if figsize is None else figsize)
    fig.set_dpi(dpi)
    ax = fig.add_subplot()
    if dim == 2:
        plotting.plot_contours(surface, ax=ax, levels=12, resolution=120)
    else:
        plotting.plot_function(surface, ax=ax)
    paths, values = [], []
    for label, trace in items:
        xs = plotting._xs_of(trace)
        if xs.shape[1] != dim:
            raise ValueError(f"traces must live in {dim}-D like the surface, got points of dimension {xs.shape[1]}")
        if dim == 2:
            px, py = xs[:, 0], xs[:, 1]
        else:
            fs = getattr(trace, "fs", None)
            px = xs[:, 0]
            py = np.asarray(surface.f(xs.T) if fs is None else fs, dtype=float).reshape(-1)
        color = style.color_for(label) if label else style.OPTIMIZER_COLORS["sgd"]
        (line,) = ax.plot([], [], color=color, linewidth=1.8, label=label, zorder=4,
                          linestyle=style.optimizer_style(label)["linestyle"] if label else "-")
        (head,) = ax.plot([], [], marker="o", markersize=8, color=color, markeredgecolor="black",
                          linestyle="none", zorder=6)
        ax.plot(px[:1], py[:1], markeredgecolor=color, **style.START_STYLE)
        paths.append((px, py, line, head))
        values.append(None if getattr(trace, "fs", None) is None else np.asarray(trace.fs, dtype=float))
    if any(label for label, _ in items):
        ax.legend(loc="best", fontsize=8)
    n_max = max(len(px) for px, *_ in paths) - 1
    steps = frame_indices(n_max, max_frames, spacing)
    title = ax.set_title("")

    def draw_frame(i: int) -> list:
        k = int(steps[i])
        for px, py, line, head in paths:
            j = min(k, len(px) - 1)
            line.set_data(px[: j + 1], py[: j + 1])
            head.set_data(px[j: j + 1], py[j: j + 1])
        text = f"{surface.name}: step {k}"
        if len(values) == 1 and values[0] is not None and len(values[0]):  # one run: its loss too
            text += f", f = {values[0][min(k, len(values[0]) - 1)]:.3g}"
        title.set_text(text)
        return [title] + [a for *_, line, head in paths for a in (line, head)]

    # Lay the figure out once, on the widest title, then freeze it: every frame is a full
    # savefig, and re-running constrained layout per frame would double its cost.
    draw_frame(len(steps) - 1)
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    anim = FuncAnimation(fig, draw_frame, frames=len(steps), interval=interval, blit=False,
                         repeat=True)
    anim.frame_steps = steps
    anim.artists = {"paths": [line for *_, line, _ in paths], "heads": [head for *_, head in paths],
                    "title": title}
    return anim


def to_html(anim: FuncAnimation, *, default_mode: str = "loop", close: bool = True) -> Any:
    """The animation as self-contained HTML (``to_jshtml``), and close its figure.

    Parameters
    ----------
    anim : FuncAnimation
    default_mode : {"loop", "once", "reflect"}
    close : bool
        Close the figure afterwards, so the inline backend shows no extra still.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    if not isinstance(anim, FuncAnimation):
        raise TypeError(f"anim must be a matplotlib FuncAnimation, got {type(anim).__name__}")
    if default_mode not in ("loop", "once", "reflect"):
        raise ValueError(f"default_mode must be 'loop', 'once' or 'reflect', got {default_mode!r}")
    html = HTML(anim.to_jshtml(default_mode=default_mode))
    if close:
        plt.close(anim._fig)
    return html
