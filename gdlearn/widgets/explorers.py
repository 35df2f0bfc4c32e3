"""Interactive explorers: sliders and Play buttons over live matplotlib figures.

Each explorer is built from plain parts, so a test (or a curious student) can
drive it without a browser:

- ``controls`` — a dict of ipywidgets, by value name (``"lr"``, ``"x0"``...);
- ``fig`` and ``artists`` — the figure and the artists whose data change;
- ``update(**values)`` — recompute and move the artists (``set_data``), never a
  full re-plot;
- ``status`` (an HTML label) and ``output`` (an ``Output`` widget) — where
  messages and errors go: a bad value or a crash inside a callback is shown
  under the widget, never raised into the void of the log console;
- ``widget`` — the layout, composed separately from the parts.

Speed: the static background (contours, axes, ticks) is drawn once; an update
restores it from a cached bitmap and redraws only the moving artists
(blitting; supported by Agg and by ipympl's canvas). Use ``%matplotlib widget``
(ipympl) for live figures. With any other backend (inline, nbconvert, nbval)
displaying an explorer shows the controls and a static PNG of the current
state, which the sliders still refresh (slowly) in a live kernel.

This module imports ipywidgets; ``import gdlearn`` does not import it::

    from gdlearn.widgets import learning_rate_explorer
    ex = learning_rate_explorer()
    ex                                  # shows the sliders and the figure
    ex.update(surface="quadratic", lr=0.25)
    ex.status_text                      # 'diverged at step 15: lr = 0.25 > 2/L = 0.2'
"""
from __future__ import annotations

import contextlib
import html
import io
import math
import numbers
import time
import traceback
import warnings
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, display
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .. import plotting, style
from .. import surfaces as _surfaces
from ..optim import sgd
from ..run import run
from . import frames

__all__ = [
    "Explorer",
    "LearningRateExplorer",
    "TangentExplorer",
    "DescentPlayer",
    "learning_rate_explorer",
    "tangent_explorer",
    "descent_player",
    "divergence_message",
]

DEFAULT_SURFACES = ("quadratic", "rosenbrock", "himmelblau", "beale", "booth", "rastrigin", "saddle")
_RED = style.PALETTE["vermillion"]


# ---------------------------------------------------------------- helpers
def _real(name: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if positive and not v > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return v


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return int(value)


def divergence_message(trace: Any, lr: float, surface: Any) -> str:
    """Why a run diverged, in one line; ``""`` when it did not.

    Uses the stability threshold ``2/L`` when the surface knows its ``L``,
    else the trace's own message.

    Examples
    --------
    >>> from gdlearn.surfaces import quadratic
    >>> from gdlearn.optim import sgd
    >>> from gdlearn.run import run
    >>> q = quadratic(10)
    >>> divergence_message(run(sgd(lr=0.25), q, [1.0, 1.0]), 0.25, q)
    'diverged at step 15: lr = 0.25 > 2/L = 0.2'
    """
    if getattr(trace, "status", None) != "diverged":
        return ""
    L = getattr(surface, "L", None)
    if L and lr > 2.0 / L:
        return f"diverged at step {trace.diverged_at}: lr = {lr:.3g} > 2/L = {2.0 / L:.3g}"
    return str(trace.message)


# ---------------------------------------------------------------- base
class Explorer:
    """Base of the explorers: parts, blitting, error routing and display.

    Subclasses fill ``controls``, ``fig`` and ``artists`` (the artists that
    move), keep the current values in ``values``, implement
    ``_validate(values) -> values`` and ``_redraw()`` (set the artists' data
    from ``values``; set ``_full_draw_needed`` when a static part such as the
    contours or an axis range changed), and end ``__init__`` with
    ``self._start()``. An explorer with a ``surface`` control, ``x0``/``y0``
    start sliders and a ``surfaces`` dict gets sliders that follow the chosen
    surface's domain.
    """

    def __init__(self) -> None:
        self.controls: dict[str, widgets.Widget] = {}
        self.artists: dict[str, Artist] = {}
        self.values: dict[str, Any] = {}
        self.fig: Figure | None = None
        self.output = widgets.Output()
        self.status = widgets.HTML(value="")
        self.status_text = ""
        self.error: BaseException | None = None
        self._background = None
        self._background_size: tuple[int, int] | None = None
        self._full_draw_needed = True
        self._syncing = False
        self._widget: widgets.Widget | None = None
        self._display_handle = None
        self._static_display = False
        self._layout_engine = None
        self._keyframe_timer = None
        self._diff_frames = 0
        self._last_frame: float | None = None  # time.monotonic() of the last live frame
        self._layout_deferred = False
        self._settle_pending = False  # an axis range kept wide while moving: narrow it when still
        self._status_held = False  # inside update(): the status goes out after the frame
        self._layout_texts: tuple | None = None  # _texts() at the last layout
        self._status_pending: str | None = None

    # -- parts ---------------------------------------------------------------
    @property
    def interactive(self) -> bool:
        """True when the figure lives on an ipympl canvas (a live widget)."""
        return isinstance(getattr(self.fig, "canvas", None), widgets.DOMWidget)

    def _start(self) -> None:
        """End of a subclass's ``__init__``: mark the artists as moving, connect, draw.

        A bad initial value raises here (the caller passed it); after that,
        errors go to the output under the widget.
        """
        for artist in self.artists.values():
            artist.set_animated(True)
        self._connect()
        self.update()
        if self.error is not None:
            raise self.error

    def _connect(self) -> None:
        for key, control in self.controls.items():
            control.observe(partial(self._on_control, key), names="value")
        self._connect_canvas()

    def _connect_canvas(self) -> None:
        # Constrained layout runs on every draw and moves the axes by a pixel or two
        # from one draw to the next, which would smear a blitted background. So the
        # layout is computed when the static parts change (and on resize), then frozen.
        engine = self.fig.get_layout_engine()
        if engine is not None and hasattr(engine, "execute") and engine.__class__.__name__ != "PlaceHolderLayoutEngine":
            self._layout_engine = engine
            self.fig.set_layout_engine("none")
        self.fig.canvas.mpl_connect("draw_event", self._on_draw)
        self.fig.canvas.mpl_connect("resize_event", lambda event: self._relayout())
        if self.interactive:
            frames.install(self.fig.canvas)  # faster PNG frames: numbers in frames.py

    def _relayout(self) -> None:
        if self._layout_engine is not None:
            for _ in range(2):  # constrained layout settles in a few passes
                self._layout_engine.execute(self.fig)
            self._layout_texts = self._texts()

    def _texts(self) -> tuple:
        """The texts constrained layout measures: titles, axis labels, tick labels.

        When they are what they were at the last layout, the layout would not move
        anything, and the keyframe skips it (it costs more than the redraw).
        """
        return tuple(
            (ax.get_visible(), ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
             tuple(t.get_text() for t in ax.get_xticklabels()),
             tuple(t.get_text() for t in ax.get_yticklabels()))
            for ax in self.fig.axes)

    def _moving_artists(self) -> list[Artist]:
        return [a for a in self.artists.values() if a.get_animated()]

    def _moving(self) -> bool:
        """True while the controls move: a frame went out less than KEYFRAME_DELAY_MS ago."""
        return (self.interactive and self._last_frame is not None
                and time.monotonic() - self._last_frame < self.KEYFRAME_DELAY_MS / 1000)

    # -- rendering (blitting) ------------------------------------------------
    def _on_draw(self, event: Any) -> None:
        """After every full draw: keep the background, then draw the moving artists on it."""
        canvas = self.fig.canvas
        if canvas.is_saving():  # savefig draws the animated artists itself
            return
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._background_size = canvas.get_width_height(physical=True)
        for artist in self._moving_artists():
            self.fig.draw_artist(artist)
        if self.interactive:
            canvas._force_full = True  # this draw goes out as a full frame (see _frame_kind)

    def _render(self, lay_out: bool = False) -> None:
        """Draw what changed: the moving artists on the kept background, or everything.

        A full draw lays the figure out first when ``lay_out`` is true or on the
        figure's first picture; a live full draw after a control's change defers
        the layout to the keyframe.
        """
        if self._full_draw_needed:
            if not lay_out and self.interactive and (self._moving() or self._background is not None):
                # Constrained layout costs more than the redraw itself (~250 ms vs ~140 on the
                # project's machine): after a control's change, keep the axes where they are and
                # lay out in the keyframe, once the frame is out and the controls are still
                # (see _send_keyframe). The first draw of a live figure is laid out.
                self._layout_deferred = True
            else:
                self._relayout()
                self._layout_deferred = False
        if self._display_handle is not None:  # static display: refresh the shown PNG
            self._full_draw_needed = False
            self._display_handle.update(self._png())
            return
        canvas = self.fig.canvas
        if (self._full_draw_needed or self._background is None
                or self._background_size != canvas.get_width_height(physical=True)):
            self._full_draw_needed = False
            shown = self._background is not None  # a full draw has reached the browser before
            self._background = None
            if self.interactive:
                canvas._force_full = True  # a new background goes out whole (see _frame_kind)
                if shown:
                    # draw now: ipympl's draw() sends the frame. (draw_idle() asks the browser to
                    # ask the kernel for a draw: a round trip through Jupyter, 20-40 ms, first.)
                    canvas.draw()  # _on_draw keeps the new background
                else:  # the figure's first picture: ipympl's view asks for it when it is ready
                    canvas.draw_idle()
                if self._layout_deferred:
                    self._arm_keyframe()  # the keyframe lays out
                else:
                    self._last_frame = time.monotonic()
            else:
                canvas.draw()
            return
        canvas.restore_region(self._background)
        for artist in self._moving_artists():
            self.fig.draw_artist(artist)
        if self.interactive:
            self._frame_kind()
        canvas.blit(self.fig.bbox)

    # -- live frames (ipympl) --------------------------------------------------
    # ipympl sends each frame to the browser as a PNG. A "diff" frame holds only the pixels
    # that changed since the previous frame: cheap to encode (a few kB). But the browser
    # decodes frames asynchronously and drops a frame when the next one arrives first (a
    # fast slider, a busy kernel), and a dropped diff leaves stale paths on screen (seen in
    # JupyterLab with headless Chromium: a figure with only its moving lines). A full frame
    # (~120 kB, ~4x the encoding time) can be dropped harmlessly. So: diff frames while the
    # controls move, every KEYFRAME_EVERY-th frame full, and one full "keyframe" of the
    # current picture once the controls have been still for KEYFRAME_DELAY_MS.
    KEYFRAME_EVERY = 10
    KEYFRAME_DELAY_MS = 150

    def _frame_kind(self) -> None:
        """Before a blit on a live canvas: choose diff or full, and (re)arm the keyframe."""
        canvas = self.fig.canvas
        self._diff_frames += 1
        if self._diff_frames >= self.KEYFRAME_EVERY:
            self._diff_frames = 0
            canvas._force_full = True
        self._arm_keyframe()

    def _arm_keyframe(self) -> None:
        """A frame is going out: (re)start the countdown to the keyframe."""
        self._last_frame = time.monotonic()
        if self._keyframe_timer is None:
            timer = self.fig.canvas.new_timer(interval=self.KEYFRAME_DELAY_MS)
            timer.single_shot = True
            timer.add_callback(self._send_keyframe)
            self._keyframe_timer = timer
        self._keyframe_timer.stop()
        self._keyframe_timer.start()

    def _send_keyframe(self) -> None:
        """Send the picture on the canvas again, as a full frame (no redraw).

        If a full redraw skipped the layout while the controls moved, or an axis
        range was only widened (``_settle_pending``: the subclass's ``_redraw``
        fits it now that ``_moving()`` is false), redraw now instead: the picture
        the learner stops on is laid out and fitted as if no slider had moved.
        """
        canvas = self.fig.canvas
        manager = getattr(canvas, "manager", None)
        if not self.interactive or manager is None:
            return
        self._last_frame = None  # the controls are still
        if self._settle_pending:  # fit the axis ranges that were only widened while moving
            self._settle_pending = False
            with self.captured():
                try:
                    self._redraw()
                except Exception as exc:  # noqa: BLE001 - routed to the output widget, by design
                    self._show_error(exc)
        if self._layout_deferred and not self._full_draw_needed and self._texts() == self._layout_texts:
            self._layout_deferred = False  # the layout would measure the same texts: keep it
        if self._layout_deferred or self._full_draw_needed:
            self._full_draw_needed = True
            self._render(lay_out=True)  # then a full draw goes out at once
            return
        self._diff_frames = 0
        canvas._force_full = True
        canvas._png_is_old = True
        manager.refresh_all()

    def _png(self) -> Image:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        return Image(data=buf.getvalue(), format="png")

    # -- updates and errors --------------------------------------------------
    def _prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """Hook: values implied by the changed ones (e.g. a new surface's start point)."""
        return values

    def _validate(self, values: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _redraw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, **values: Any) -> None:
        """Set some values (e.g. ``lr=0.1``), recompute and redraw the moving artists.

        Never raises: a bad value or an error is shown in ``status`` and ``output``
        (and kept in ``error``); the previous state is kept.
        """
        held, self._status_held = self._status_held, True
        try:
            unknown = set(values) - set(self.values)
            if unknown:
                raise TypeError(f"unknown value(s) {sorted(unknown)}; expected some of {sorted(self.values)}")
            values = self._prepare(dict(values))
            new = self._validate({**self.values, **values})
            self.values = new
            self._sync_controls(values)
            self._redraw()
            self._render()
        except Exception as exc:  # noqa: BLE001 - routed to the output widget, by design
            self._show_error(exc)
        else:
            if self.error is not None:
                self.error = None
                self.output.outputs = ()
        finally:
            self._status_held = held
            if not held and self._status_pending is not None:
                self.status.value, self._status_pending = self._status_pending, None

    def _on_control(self, key: str, change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        with self.captured():
            self.update(**{key: change["new"]})

    @contextlib.contextmanager
    def captured(self):
        """Anything printed or warned inside lands under the widget, in ``output``.

        ``with self.output:`` would do the same, but it sends two messages to the
        browser on every slider move (the Output widget's ``msg_id`` set and
        cleared, each flushing the kernel's streams) ahead of the frame. This
        captures in the kernel and sends only what was printed, if anything.
        """
        out, err = io.StringIO(), io.StringIO()
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("default")
            try:
                yield
            finally:
                for w in caught:
                    err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))
        if out.getvalue():
            self.output.append_stdout(out.getvalue())
        if err.getvalue():
            self.output.append_stderr(err.getvalue())

    def _sync_controls(self, values: Mapping[str, Any]) -> None:
        self._syncing = True
        try:
            if "surface" in values and "x0" in self.controls and "y0" in self.controls:
                # an explorer with a surface menu and start sliders: the sliders span the new
                # surface's domain (before their values are set, so that those fit)
                for key, (lo, hi) in zip(("x0", "y0"), self.surfaces[self.values["surface"]].domain):
                    c = self.controls[key]
                    if lo > c.max:  # keep min <= max at every step
                        c.max, c.min = float(hi), float(lo)
                    else:
                        c.min, c.max = float(lo), float(hi)
            for key in values:
                control = self.controls.get(key)
                if control is not None and control.value != self.values[key]:
                    control.value = self.values[key]
        finally:
            self._syncing = False

    def _set_status(self, text: str, color: str | None = None) -> None:
        self.status_text = text
        esc = html.escape(text)
        value = f'<span style="color:{color}">{esc}</span>' if color else esc
        if self._status_held:  # inside update(): the frame goes to the browser first
            self._status_pending = value
        else:
            self.status.value = value

    def _show_error(self, exc: BaseException) -> None:
        self.error = exc
        short = f"{type(exc).__name__}: {exc}"
        self._set_status("⚠ " + short, _RED)
        detail = short + "\n" if isinstance(exc, (ValueError, TypeError)) else "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.output.append_stderr(detail)

    # -- layout and display --------------------------------------------------
    def _control_box(self) -> widgets.Widget:
        return widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))

    @property
    def widget(self) -> widgets.Widget:
        """The composed layout: controls, the live canvas (ipympl only), status, output."""
        if self._widget is None:
            parts = [self._control_box()]
            if self.interactive:
                parts.append(self.fig.canvas)
            parts += [self.status, self.output]
            self._widget = widgets.VBox(parts)
        return self._widget

    def _ipython_display_(self) -> None:
        display(self.widget)
        if not self.interactive:  # inline/nbconvert: a static figure of the current state
            self._static_display = True  # a PNG per change: text in the figure is affordable
            self._redraw()
            self._display_handle = display(self._png(), display_id=True)

    def close(self) -> None:
        """Close the figure and the widgets."""
        import matplotlib.pyplot as plt

        if self._keyframe_timer is not None:
            self._keyframe_timer.stop()
        plt.close(self.fig)
        for w in [*self.controls.values(), self.status, self.output]:
            w.close()
        if self._widget is not None:
            self._widget.close()


# ---------------------------------------------------------------- learning rate
def _surface_dict(surfaces: Any) -> dict[str, Any]:
    if surfaces is None:
        return {k: _surfaces.SURFACES[k] for k in DEFAULT_SURFACES if k in _surfaces.SURFACES}
    if isinstance(surfaces, str):
        surfaces = [surfaces]
    if isinstance(surfaces, Mapping):
        out = dict(surfaces)
    elif hasattr(surfaces, "domain"):
        out = {surfaces.name: surfaces}
    elif isinstance(surfaces, (list, tuple)):
        out = {}
        for s in surfaces:
            if isinstance(s, str):
                if s not in _surfaces.SURFACES:
                    raise ValueError(f"surfaces: unknown name {s!r}, expected one of {list(_surfaces.SURFACES)}")
                out[s] = _surfaces.SURFACES[s]
            else:
                out[s.name] = s
    else:
        raise TypeError(f"surfaces must be None, a Surface, a list or a dict, got {type(surfaces).__name__}")
    if not out:
        raise ValueError("surfaces must not be empty")
    for k, s in out.items():
        if getattr(s, "dim", len(getattr(s, "domain", ()))) != 2:
            raise ValueError(f"surfaces must be 2-D, got {k!r} of dimension {len(s.domain)}")
    return out


LOG_FLOOR = 1e-20  # the lowest a log loss axis goes: below it, round-off noise


def _lower_log_floor(lax: Any, y: np.ndarray) -> bool:
    """Grow a log loss axis downwards by whole decades to show ``y``'s smallest positive value.

    True when the axis changed (a rare full redraw, then blitting again). The
    axis never goes below LOG_FLOOR, so a loss under it changes nothing: every
    update would otherwise be a full redraw.
    """
    lo, hi = lax.get_ylim()
    positive = y[y > 0]
    if not positive.size:
        return False
    new_lo = max(10.0 ** math.floor(math.log10(positive.min())), LOG_FLOOR)
    if new_lo >= lo:
        return False
    lax.set_ylim(new_lo, hi)
    return True


class LearningRateExplorer(Explorer):
    """Gradient descent on a 2-D surface with sliders for the learning rate and start.

    Left: contours and the path; right: the loss curve (log scale when the surface
    has a known minimum). See :func:`learning_rate_explorer`.
    """

    def __init__(self, surfaces: Any = None, lr: float | None = None, steps: int = 200,
                 optimizer: Callable[..., Any] = sgd, *, x0: Sequence[float] | None = None,
                 figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.surfaces = _surface_dict(surfaces)
        if not callable(optimizer):
            raise TypeError(f"optimizer must be a callable lr -> GradientTransformation, got {optimizer!r}")
        self.optimizer = optimizer
        self.optimizer_name = getattr(getattr(optimizer, "func", optimizer), "__name__", "optimizer")
        if optimizer is sgd:  # plain full-batch steps: the course's name for them is "gd"
            self.optimizer_name = "gd"
        name = next(iter(self.surfaces))
        s = self.surfaces[name]
        start = np.asarray(s.start if x0 is None else x0, dtype=float)
        if lr is None:
            lr = 1.0 / s.L if s.L else 1e-3
        self.trace = None
        self._contours: plotting.ContourArtists | None = None
        self._background_surface = None
        self._ylim_surface = None
        first = self._validate(dict(surface=name, lr=lr, x0=float(start[0]), y0=float(start[1]),
                                    steps=steps))
        self.values = first
        self._build_controls()
        self._build_figure(figsize or style.FIGSIZE["wide"])
        self._start()

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
            "lr": widgets.FloatLogSlider(value=v["lr"], description="learning rate", **lr_kw, **common),
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
        color = style.color_for(self.optimizer_name)
        path = plotting.plot_path(np.zeros((1, 2)), ax=ax, color=color, label=self.optimizer_name)
        msg = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", ha="left", fontsize=9,
                      zorder=10, bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0))
        (loss,) = lax.plot([], [], color=color, linewidth=1.8)
        lax.set_xlabel("step $k$")
        lax.set_title("Loss")
        # Text is slow to render (~1 ms per glyph run), so the figure's only moving text is the
        # message box: the divergence message, or (static display only) a summary. The
        # status label under the figure always carries the numbers.
        self.artists = {"path": path.line, "start": path.start, "end": path.end, "loss": loss,
                        "message": msg}

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        if v["surface"] not in self.surfaces:
            raise ValueError(f"surface must be one of {list(self.surfaces)}, got {v['surface']!r}")
        return dict(surface=v["surface"], lr=_real("lr", v["lr"], positive=True),
                    x0=_real("x0", v["x0"]), y0=_real("y0", v["y0"]),
                    steps=_int("steps", v["steps"], 1, 100_000))

    def _prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        name = values.get("surface")
        if name in self.surfaces and name != self.values.get("surface"):
            start = np.asarray(self.surfaces[name].start, dtype=float)
            values.setdefault("x0", float(start[0]))
            values.setdefault("y0", float(start[1]))
        return values

    # -- drawing
    def _set_background(self, s: Any) -> None:
        if self._contours is not None:
            for a in self._contours:
                if a is not None:
                    a.remove()
        self._contours = plotting.plot_contours(s, ax=self.ax, title=f"{s.name}: {self.optimizer_name}")
        self._background_surface = s
        self.ax.legend(loc="lower right", fontsize=8)
        self._full_draw_needed = True

    def _loss_axes(self, s: Any, fs: np.ndarray, steps: int) -> np.ndarray:
        """Loss data for the right panel; sets (only when needed) the static axis ranges."""
        lax = self.loss_ax
        f_star = plotting._f_star(s)
        _, _, Z = plotting.surface_grid(s, 200)
        if s is not self._ylim_surface:
            self._ylim_surface = s
            if f_star is None:  # unbounded below (saddle): a linear axis over the domain's values
                lax.set_yscale("linear")
                lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
                lax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
                lax.set_ylabel("$f(x_k)$")
            else:
                lax.set_yscale("log")
                top = float(np.nanmax(Z)) - f_star
                # the domain's largest value, rounded up to a decade: a diverging run leaves
                # through the top (the message box says so); a converging one fills the axis
                hi = 10.0 ** math.ceil(math.log10(top))
                lax.set_ylim(hi * 1e-15, hi)
                lax.set_ylabel(r"$f(x_k) - f^*$")
            self._full_draw_needed = True
        if lax.get_xlim() != (0.0, float(steps)):
            lax.set_xlim(0.0, float(steps))
            self._full_draw_needed = True
        if f_star is None:
            return fs  # a diverging run leaves through the bottom of the axes
        y = fs - f_star
        if _lower_log_floor(lax, y):
            self._full_draw_needed = True
        with np.errstate(invalid="ignore"):
            return np.where(y > 0, y, np.nan)  # log axis: f = f* exactly is off the chart

    def _redraw(self) -> None:
        v = self.values
        s = self.surfaces[v["surface"]]
        if self._background_surface is not s:
            self._set_background(s)
        x0 = np.array([v["x0"], v["y0"]])
        trace = run(self.optimizer(lr=v["lr"]), s, x0, v["steps"])
        self.trace = trace
        xs = trace.xs
        a = self.artists
        a["path"].set_data(xs[:, 0], xs[:, 1])
        a["start"].set_data(xs[:1, 0], xs[:1, 1])
        a["end"].set_data(xs[-1:, 0], xs[-1:, 1])
        a["end"].set_marker("X" if trace.status == "diverged" else style.END_STYLE["marker"])
        a["loss"].set_data(np.arange(len(trace.fs)), self._loss_axes(s, trace.fs, v["steps"]))
        message = divergence_message(trace, v["lr"], s)
        if message:
            a["message"].set_text(message)
            a["message"].set_color(_RED)
            a["message"].set_visible(True)
            self._set_status(message, _RED)
        else:
            summary = f"lr = {v['lr']:.3g}: {trace.status} after {trace.steps} steps, f = {trace.f:.4g}"
            a["message"].set_text(summary)
            a["message"].set_color("black")
            a["message"].set_visible(self._static_display)
            self._set_status(summary)


def learning_rate_explorer(surfaces: Any = None, lr: float | None = None, steps: int = 200,
                           optimizer: Callable[..., Any] = sgd, *, x0: Sequence[float] | None = None,
                           figsize: tuple[float, float] | None = None) -> LearningRateExplorer:
    """Explore how the learning rate shapes gradient descent (chapter 02).

    Parameters
    ----------
    surfaces : None, Surface, list or dict, optional
        Surfaces in the dropdown (default: quadratic(10), Rosenbrock, Himmelblau,
        Beale, Booth, Rastrigin and the saddle from ``gdlearn.surfaces.SURFACES``).
    lr : float, optional
        Initial learning rate (default ``1/L`` when the first surface knows ``L``, else 1e-3).
    steps : int
        Step budget of each run.
    optimizer : callable
        ``optimizer(lr=...) -> GradientTransformation``; default :func:`gdlearn.optim.sgd`.
        Use ``functools.partial(sgd, momentum=0.9)`` for other settings.
    x0 : (2,) array, optional
        Start point (default: the surface's ``start``).

    Returns
    -------
    LearningRateExplorer
        Display it in a notebook; drive it with ``.update(lr=..., x0=..., y0=..., steps=...,
        surface=...)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ex = learning_rate_explorer(lr=0.05, figsize=(6, 3))
    >>> ex.update(lr=0.1)
    >>> ex.trace.status, bool(ex.artists["path"].get_xdata()[0] == ex.values["x0"])
    ('converged', True)
    >>> ex.update(lr=0.25)
    >>> ex.status_text
    'diverged at step 15: lr = 0.25 > 2/L = 0.2'
    >>> ex.update(lr=-1.0)          # shown under the widget, not raised
    >>> ex.status_text
    '⚠ ValueError: lr must be > 0, got -1.0'
    >>> ex.close()
    """
    return LearningRateExplorer(surfaces, lr, steps, optimizer, x0=x0, figsize=figsize)


# ---------------------------------------------------------------- tangent (chapter 01)
class TangentExplorer(Explorer):
    """A slider for x; the tangent of a 1-D function and its slope follow it."""

    def __init__(self, surface1d: Any = None, x: float | None = None, *,
                 figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        s = self.surface = _surfaces.double_well if surface1d is None else surface1d
        plotting._check_surface(s, 1, "surface1d")
        (lo, hi), = s.domain
        self.values = self._validate({"x": float(np.asarray(s.start).reshape(-1)[0]) if x is None else x})
        d = style.SLIDER_DEFAULTS
        self.controls = {"x": widgets.FloatSlider(value=self.values["x"], min=lo, max=hi, description="x",
                                                  continuous_update=d["continuous_update"],
                                                  **d["coordinate"])}
        fig = self.fig = plotting.new_figure(figsize or style.FIGSIZE["single"])
        ax = self.ax = fig.subplots()
        plotting.plot_function(s, ax=ax)
        xs = np.linspace(lo, hi, 400)
        ys = np.asarray(s.f(xs[None, :]), dtype=float)
        pad = 0.08 * (ys.max() - ys.min())
        ax.set_ylim(ys.min() - pad, ys.max() + pad)   # fixed: the tangent may leave the frame
        tan = plotting.plot_tangent(s, self.values["x"], ax=ax)
        tan.line.set_label("tangent")
        ax.legend(loc="upper center", fontsize=8)
        self.artists = {"tangent": tan.line, "point": tan.point, "title": ax.title}
        self._start()

    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        x = _real("x", v["x"])
        (lo, hi), = self.surface.domain
        if not lo <= x <= hi:
            raise ValueError(f"x must be in the domain [{lo}, {hi}], got {x}")
        return {"x": x}

    def _redraw(self) -> None:
        x = self.values["x"]
        xs, ys, fx, slope = plotting.tangent_data(self.surface, x)
        self.slope = slope
        a = self.artists
        a["tangent"].set_data(xs, ys)
        a["point"].set_data([x], [fx])
        hint = "downhill to the right" if slope < 0 else "downhill to the left" if slope > 0 else "flat"
        text = f"f'({x:.2f}) = {slope:.3f}: {hint}"
        a["title"].set_text(text)
        self._set_status(text)


def tangent_explorer(surface1d: Any = None, x: float | None = None, *,
                     figsize: tuple[float, float] | None = None) -> TangentExplorer:
    """The derivative as the slope of the tangent (chapter 01).

    Parameters
    ----------
    surface1d : Surface, optional
        A 1-D surface (default ``gdlearn.surfaces.double_well``).
    x : float, optional
        Initial point (default: the surface's ``start``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gdlearn.surfaces import parabola
    >>> ex = tangent_explorer(parabola, x=1.0)
    >>> ex.update(x=-0.5)
    >>> round(ex.slope, 6)
    -1.0
    >>> ex.close()
    """
    return TangentExplorer(surface1d, x, figsize=figsize)


# ---------------------------------------------------------------- player
class DescentPlayer(Explorer):
    """A Play button and a step slider that move a marker along a precomputed path."""

    def __init__(self, trace: Any, surface: Any, *, interval: int = 80, max_frames: int = 200,
                 label: str | None = None, figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        xs = plotting._xs_of(trace)
        fs = getattr(trace, "fs", None)
        self.xs = xs
        self.fs = np.asarray(surface.f(xs.T) if fs is None else fs, dtype=float).reshape(-1)
        self.surface = surface
        n = len(xs) - 1
        self.values = {"step": 0}
        self.controls = {
            "play": widgets.Play(value=0, min=0, max=n, step=max(1, math.ceil(n / max_frames)),
                                 interval=_int("interval", interval, 1, 10_000), description="play"),
            "step": widgets.IntSlider(value=0, min=0, max=n, description="step",
                                      continuous_update=True),
        }
        self.link = widgets.jslink((self.controls["play"], "value"), (self.controls["step"], "value"))
        color = style.color_for(label) if label else style.OPTIMIZER_COLORS["sgd"]
        fig = self.fig = plotting.new_figure(figsize or style.FIGSIZE["wide"])
        ax, lax = fig.subplots(1, 2, width_ratios=[1, 1])
        self.ax, self.loss_ax = ax, lax
        if xs.shape[1] == 2:
            plotting.plot_contours(surface, ax=ax)
        else:
            plotting.plot_function(surface, ax=ax)
        full = plotting.plot_path(trace if fs is not None else xs, ax=ax, color=color, label=label,
                                  surface=surface, markers=False, alpha=0.35, legend=False)
        px, py = full.line.get_xdata(), full.line.get_ydata()
        self._px, self._py = np.asarray(px), np.asarray(py)
        (done,) = ax.plot([], [], color=color, linewidth=2.2, zorder=5)
        (marker,) = ax.plot([], [], marker="o", markersize=10, color=color, markeredgecolor="black",
                            linestyle="none", zorder=8)
        f_star = plotting._f_star(surface)
        ys = self.fs - f_star if f_star is not None else self.fs
        use_log = f_star is not None and np.all(ys[np.isfinite(ys)] > 0)
        lax.plot(np.arange(len(ys)), ys, color=color, alpha=0.35)
        (now,) = lax.plot([], [], marker="o", markersize=8, color=color, markeredgecolor="black",
                          linestyle="none")
        if use_log:
            lax.set_yscale("log")
        lax.set_xlabel("step $k$")
        lax.set_ylabel(r"$f(x_k) - f^*$" if f_star is not None else "$f(x_k)$")
        lax.set_title("Loss")
        self._loss_y = ys
        self.artists = {"done": done, "marker": marker, "loss_marker": now, "title": ax.title}
        self._start()

    def _connect(self) -> None:
        self.controls["step"].observe(partial(self._on_control, "step"), names="value")
        self._connect_canvas()

    def _control_box(self) -> widgets.Widget:
        return widgets.HBox([self.controls["play"], self.controls["step"]])

    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        return {"step": _int("step", v["step"], 0, len(self.xs) - 1)}

    def _redraw(self) -> None:
        k = self.values["step"]
        a = self.artists
        a["done"].set_data(self._px[: k + 1], self._py[: k + 1])
        a["marker"].set_data(self._px[k: k + 1], self._py[k: k + 1])
        a["loss_marker"].set_data([k], self._loss_y[k: k + 1])
        text = f"step {k}: f = {self.fs[k]:.4g}"
        a["title"].set_text(f"{self.surface.name} — {text}")
        self._set_status(text)


def descent_player(trace: Any, surface: Any, *, interval: int = 80, max_frames: int = 200,
                   label: str | None = None,
                   figsize: tuple[float, float] | None = None) -> DescentPlayer:
    """Replay a precomputed run: a Play button linked to a step slider moves a marker.

    Parameters
    ----------
    trace : Trace or array (k, d)
        The run to replay (1-D or 2-D).
    surface : Surface
        The surface it ran on.
    interval : int
        Milliseconds between frames of the Play button.
    max_frames : int
        The Play button skips steps so that a replay has at most this many frames.
    label : str, optional
        Optimizer name (picks the colour).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gdlearn.surfaces import rosenbrock
    >>> from gdlearn.optim import sgd
    >>> from gdlearn.run import run
    >>> p = descent_player(run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, 50), rosenbrock,
    ...                    figsize=(6, 3))
    >>> p.update(step=10)
    >>> bool(p.artists["marker"].get_xdata()[0] == p.xs[10, 0])
    True
    >>> p.close()
    """
    return DescentPlayer(trace, surface, interval=interval, max_frames=max_frames, label=label,
                         figsize=figsize)
