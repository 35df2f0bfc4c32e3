"""The course-wide look: one palette, one plotting vocabulary, one set of slider defaults.

Every figure in the course takes its colours, markers and sizes from here, so
that "Adam" is the same vermillion in chapter 06 and in the capstone, a start
point is always a hollow circle and a minimum is always a yellow star.

The palette is Okabe & Ito's (2008) colour-blind-safe set. The eight
first-order optimizers of the optimizer race (:mod:`gdlearn.widgets.race`) have
eight different colours and markers, the same here and in the race; ``amsgrad``
is yellow, so draw it with a dark outline on white. There are more optimizers
than safe colours, so the second-order methods share black and differ by line
style and marker (``newton`` solid, ``bfgs`` dashed).

This module does not import matplotlib at import time; :func:`set_style` and
:func:`figsize` import it when called.

Examples
--------
>>> from gdlearn.style import color_for, optimizer_style
>>> color_for("adam")
'#D55E00'
>>> optimizer_style("AdamW")["marker"]
'h'
>>> color_for("my-own-method") == color_for("my-own-method")   # unknown names: fixed too
True
"""
from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "PALETTE",
    "OPTIMIZER_STYLES",
    "OPTIMIZER_COLORS",
    "START_STYLE",
    "END_STYLE",
    "MINIMUM_STYLE",
    "POINT_STYLE",
    "DIVERGED_COLOR",
    "UNCONVERGED_COLOR",
    "CONTOUR_CMAP",
    "FIELD_CMAP",
    "SURFACE_CMAP",
    "FIGSIZE",
    "SLIDER_DEFAULTS",
    "RC_PARAMS",
    "color_for",
    "optimizer_style",
    "set_style",
    "figsize",
]

#: Okabe–Ito colour-blind-safe palette (name -> hex).
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

_P = PALETTE
#: Fixed line style per optimizer name (lower case): colour, line style, marker.
OPTIMIZER_STYLES: dict[str, dict[str, str]] = {
    "gd": {"color": _P["blue"], "linestyle": "-", "marker": "o"},
    "sgd": {"color": _P["blue"], "linestyle": "-", "marker": "o"},
    "momentum": {"color": _P["orange"], "linestyle": "-", "marker": "s"},
    "heavy_ball": {"color": _P["orange"], "linestyle": "-", "marker": "s"},
    "nesterov": {"color": _P["reddish_purple"], "linestyle": "-", "marker": "D"},
    "adagrad": {"color": _P["bluish_green"], "linestyle": "-", "marker": "^"},
    "rmsprop": {"color": _P["sky_blue"], "linestyle": "-", "marker": "v"},
    "adam": {"color": _P["vermillion"], "linestyle": "-", "marker": "P"},
    "adamw": {"color": _P["black"], "linestyle": "-.", "marker": "h"},
    "amsgrad": {"color": _P["yellow"], "linestyle": ":", "marker": "<"},
    "newton": {"color": _P["black"], "linestyle": "-", "marker": "h"},
    "damped_newton": {"color": _P["black"], "linestyle": "-.", "marker": "h"},
    "bfgs": {"color": _P["black"], "linestyle": "--", "marker": "p"},
    "lbfgs": {"color": _P["black"], "linestyle": ":", "marker": "p"},
}
#: Just the colours of :data:`OPTIMIZER_STYLES`.
OPTIMIZER_COLORS: dict[str, str] = {k: v["color"] for k, v in OPTIMIZER_STYLES.items()}

# Colours handed to names we do not know, chosen by a stable hash of the name
# (yellow is left out: it vanishes on a white background).
_FALLBACK = [_P[k] for k in ("blue", "orange", "bluish_green", "reddish_purple",
                             "sky_blue", "vermillion", "black")]

#: The shared plotting vocabulary (keyword arguments for ``Axes.plot``).
START_STYLE: dict[str, Any] = {"marker": "o", "markersize": 9, "markerfacecolor": "white",
                               "markeredgewidth": 2, "linestyle": "none", "zorder": 5}
END_STYLE: dict[str, Any] = {"marker": "D", "markersize": 8, "markeredgecolor": "black",
                             "markeredgewidth": 1, "linestyle": "none", "zorder": 6}
MINIMUM_STYLE: dict[str, Any] = {"marker": "*", "markersize": 16, "color": _P["yellow"],
                                 "markeredgecolor": "black", "markeredgewidth": 1,
                                 "linestyle": "none", "zorder": 7}
POINT_STYLE: dict[str, Any] = {"marker": "o", "markersize": 3, "linewidth": 1.8}
DIVERGED_COLOR = "#595959"      # dark grey: left the domain / non-finite
UNCONVERGED_COLOR = "#C8C8C8"   # light grey: still on the way after the step budget
CONTOUR_CMAP = "Greys_r"        # neutral background, so coloured paths stand out
FIELD_CMAP = "viridis"          # gradient magnitude (perceptually uniform)
SURFACE_CMAP = "viridis"

#: Default figure sizes in inches; a 2-panel explorer fits a notebook cell.
FIGSIZE: dict[str, tuple[float, float]] = {
    "single": (5.0, 4.0),
    "wide": (9.0, 4.0),
    "small": (4.0, 3.2),
    "3d": (6.0, 4.5),
}

#: Book-wide slider defaults (ipywidgets keyword arguments) used by :mod:`gdlearn.widgets`.
SLIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    # FloatLogSlider: min/max are exponents of `base`
    "lr": {"base": 10.0, "min": -5.0, "max": 0.0, "step": 0.01, "readout_format": ".2e"},
    "steps": {"min": 1, "max": 1000, "step": 1},
    "coordinate": {"step": 0.01, "readout_format": ".2f"},
    "momentum": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f"},
    "style": {"description_width": "initial"},
    "continuous_update": True,
}

#: rcParams applied by :func:`set_style`: readable at notebook size.
RC_PARAMS: dict[str, Any] = {
    "figure.figsize": FIGSIZE["single"],
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,   # labels and colour bars never clipped
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.framealpha": 0.85,
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def optimizer_style(name: str) -> dict[str, str]:
    """Colour, line style and marker of an optimizer, fixed for the whole course.

    Parameters
    ----------
    name : str
        Optimizer name, case-insensitive (``"sgd"``, ``"Adam"``, ``"L-BFGS"``...).
        Unknown names get a colour picked by a stable hash, so they are fixed too.

    Returns
    -------
    dict
        Keyword arguments ``color``, ``linestyle``, ``marker`` for ``Axes.plot``.

    Examples
    --------
    >>> optimizer_style("sgd")
    {'color': '#0072B2', 'linestyle': '-', 'marker': 'o'}
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "").replace(" ", "_")
    if key in OPTIMIZER_STYLES:
        return dict(OPTIMIZER_STYLES[key])
    color = _FALLBACK[zlib.crc32(key.encode()) % len(_FALLBACK)]
    return {"color": color, "linestyle": "-", "marker": "o"}


def color_for(name: str) -> str:
    """The fixed colour of an optimizer (see :func:`optimizer_style`).

    Examples
    --------
    >>> color_for("momentum")
    '#E69F00'
    """
    return optimizer_style(name)["color"]


def set_style() -> None:
    """Apply the course look (:data:`RC_PARAMS` and the Okabe–Ito colour cycle).

    Call once at the top of a chapter. It changes matplotlib's global rcParams only.

    Examples
    --------
    >>> import matplotlib
    >>> set_style()
    >>> matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0]
    '#0072B2'
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(RC_PARAMS)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(_FALLBACK))


@contextlib.contextmanager
def figsize(width: float | str = "single", height: float | None = None) -> Iterator[None]:
    """Temporarily change the default figure size.

    Parameters
    ----------
    width : float or str
        Width in inches, or a key of :data:`FIGSIZE` (``"single"``, ``"wide"``...).
    height : float, optional
        Height in inches (required when `width` is a number).

    Examples
    --------
    >>> import matplotlib
    >>> with figsize(8, 3):
    ...     print(matplotlib.rcParams["figure.figsize"])
    [8.0, 3.0]
    """
    import matplotlib as mpl

    if isinstance(width, str):
        if width not in FIGSIZE:
            raise ValueError(f"width must be a number or one of {sorted(FIGSIZE)}, got {width!r}")
        size = FIGSIZE[width]
    else:
        if height is None:
            raise ValueError("height must be given when width is a number")
        if not (width > 0 and height > 0):
            raise ValueError(f"width and height must be > 0, got {width}, {height}")
        size = (float(width), float(height))
    with mpl.rc_context({"figure.figsize": size}):
        yield
