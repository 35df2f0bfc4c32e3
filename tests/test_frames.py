"""gdlearn.widgets.frames: the fast PNG frames must show exactly what matplotlib's would.

The reference is matplotlib's own ``get_diff_image`` (Pillow's encoder) on an
identical canvas, and Pillow's PNG decoder reads both.
"""

import base64
import io
import json

import matplotlib
import numpy as np
import pytest
from PIL import Image

from gdlearn.widgets import frames


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (400, 900), (37, 1)])
def test_encode_png_round_trips_through_pillow(shape):
    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    png = frames.encode_png(rgba)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(_decode(png), rgba)


def _idat(png: bytes) -> bytes:
    import struct

    pos, data = 8, b""
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        if png[pos + 4:pos + 8] == b"IDAT":
            data += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    return data


@pytest.mark.parametrize("rows", [(0, 0), (0, 7), (3, 4), (5, 9), (9, 9), (2, 9), (0, 9)])
def test_encode_png_diff_frames_with_blank_rows_round_trip(rows):
    # a diff frame: pixels only in rows [a, b), zeros (transparent) elsewhere; also all-blank and no blank
    import zlib

    a, b = rows
    rng = np.random.default_rng(a * 10 + b)
    rgba = np.zeros((9, 13, 4), np.uint8)
    rgba[a:b] = rng.integers(0, 256, (b - a, 13, 4), dtype=np.uint8)
    if b > a:
        rgba[a, 0] = (1, 2, 3, 4)   # never an all-zero row at the band's edges by chance
        rgba[b - 1, -1] = (5, 6, 7, 8)
    png = frames.encode_png(rgba)
    np.testing.assert_array_equal(_decode(png), rgba)
    raw = zlib.decompress(_idat(png))   # zlib checks the Adler-32 of the whole stream
    assert len(raw) == 9 * (13 * 4 + 1)


def test_encode_png_of_a_large_sparse_frame_is_small_and_exact():
    rgba = np.zeros((400, 900, 4), np.uint8)
    rgba[150:160, 300:700] = (200, 30, 40, 255)
    png = frames.encode_png(rgba)
    np.testing.assert_array_equal(_decode(png), rgba)
    assert len(png) < 10_000  # of 1.44 MB of pixels


def test_encode_png_wraps_the_sub_filter_modulo_256():
    # a bright pixel right of a dark one and the reverse: differences of -250 and +250
    rgba = np.array([[[250, 5, 0, 255], [0, 255, 250, 255], [250, 5, 0, 255]]], np.uint8)
    np.testing.assert_array_equal(_decode(frames.encode_png(rgba, level=9)), rgba)


@pytest.mark.parametrize("bad, word", [(np.zeros((2, 2, 3), np.uint8), "rgba"),
                                       (np.zeros((2, 2, 4), np.float32), "rgba"),
                                       (np.zeros((2, 4), np.uint8), "rgba")])
def test_encode_png_rejects_what_is_not_rgba(bad, word):
    with pytest.raises(ValueError, match=word):
        frames.encode_png(bad)


def test_encode_png_rejects_a_bad_level():
    with pytest.raises(ValueError, match="level"):
        frames.encode_png(np.zeros((1, 1, 4), np.uint8), level=10)


def _live_canvas(fig):
    """``fig`` on an ipympl canvas with its manager, pyplot's backend left as it was."""
    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager

    matplotlib.use(backend)  # importing ipympl switched pyplot's backend
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    return canvas


def _ipympl_canvas(fig):
    canvas = _live_canvas(fig)
    sent = []
    canvas.send_binary = sent.append
    return canvas, sent


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=50)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (line,) = ax.plot([0, 1], [0, 1], lw=2)
    return fig, line


def test_diff_image_sends_the_same_pictures_and_modes_as_matplotlib():
    (fig_a, line_a), (fig_b, line_b) = _figure(), _figure()
    ours, sent_ours = _ipympl_canvas(fig_a)
    theirs, sent_theirs = _ipympl_canvas(fig_b)
    assert frames.install(ours)
    assert ours.get_diff_image.__func__ is frames.diff_image
    assert "get_diff_image" not in vars(theirs)  # the other canvas keeps matplotlib's encoder

    modes_ours, modes_theirs = [], []

    def step(change):
        change(line_a, fig_a, ours)
        change(line_b, fig_b, theirs)
        ours.draw()
        theirs.draw()
        modes_ours.append(ours._current_image_mode)
        modes_theirs.append(theirs._current_image_mode)

    step(lambda line, fig, c: None)                                   # first frame: full
    step(lambda line, fig, c: line.set_ydata([1, 0]))                 # a change: diff
    step(lambda line, fig, c: line.set_color("red"))                  # another diff
    step(lambda line, fig, c: setattr(c, "_force_full", True))        # forced: full
    step(lambda line, fig, c: fig.patch.set_alpha(0.5))               # transparency: full
    step(lambda line, fig, c: line.set_ydata([0.2, 0.8]))             # still transparent: full
    assert modes_ours == modes_theirs == ["full", "diff", "diff", "full", "full", "full"]
    assert len(sent_ours) == len(sent_theirs) == 6
    for a, b in zip(sent_ours, sent_theirs):
        np.testing.assert_array_equal(_decode(a), _decode(b))
    # a diff frame holds only the changed pixels (zeros elsewhere), so it is much smaller than a full one
    assert len(sent_ours[1]) < len(sent_ours[0])
    # nothing new to send: None, as matplotlib's
    assert ours.get_diff_image() is None and theirs.get_diff_image() is None


def test_install_leaves_other_canvases_alone():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, _ = _figure()
    canvas = FigureCanvasAgg(fig)
    assert frames.install(canvas) is False
    assert "get_diff_image" not in vars(canvas)


def test_an_explorer_on_a_live_canvas_uses_the_fast_frames():
    import matplotlib.pyplot as plt
    from ipympl.backend_nbagg import Canvas

    from gdlearn.widgets import learning_rate_explorer

    backend = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        ex = learning_rate_explorer(lr=0.001)
        try:
            assert isinstance(ex.fig.canvas, Canvas)
            assert ex.fig.canvas.get_diff_image.__func__ is frames.diff_image
        finally:
            ex.close()
    finally:
        plt.switch_backend(backend)


# -- the layout of a live explorer: deferred while the controls move, done once they are still


def _live_race():
    import matplotlib.pyplot as plt

    from gdlearn.widgets import optimizer_race

    backend = matplotlib.get_backend()
    plt.switch_backend("Agg")
    ex = optimizer_race("rosenbrock", ["SGD", "Adam"], steps=60, figsize=(8, 3))
    canvas, sent = _ipympl_canvas(ex.fig)   # the same figure, now on a live canvas
    frames.install(canvas)
    canvas.draw_idle = canvas.draw          # a browser that asks for the draw at once
    canvas.draw()
    layouts = []
    relayout = ex._relayout
    ex._relayout = lambda: (layouts.append(1), relayout())
    plt.switch_backend(backend)
    return ex, canvas, sent, layouts


def _positions(ex):
    return np.array([ax.get_position().bounds for ax in ex.fig.axes])


def _fresh_layout(ex):
    """The axes' positions a fresh constrained layout gives the figure as it is now."""
    laid_out = _positions(ex)
    for _ in range(3):
        ex._layout_engine.execute(ex.fig)
    return laid_out, _positions(ex)  # (left laid out afresh: set_position would unhook the layout)


def test_a_full_redraw_goes_out_at_once_and_the_keyframe_lays_out_only_when_texts_changed():
    ex, canvas, sent, layouts = _live_race()
    try:
        ex.update(lr_sgd=1e-3)                      # a blit: the controls are moving
        assert ex._moving() and not layouts
        ex._send_keyframe()
        ex._last_frame = None                       # still for a while, then one press:
        n = len(sent)
        ex.update(lr_sgd=0.5)                       # SGD diverges: the legend changes, a full redraw
        assert ex.status_text.startswith("step") and "diverged" in ex.status_text
        assert len(sent) == n + 1                   # ... sent at once (no draw_idle round trip)
        assert layouts == [] and ex._layout_deferred  # ... without laying out first
        texts_changed = ex._texts() != ex._layout_texts
        ex._send_keyframe()                         # the timer fires: the controls are still
        assert layouts == ([1] if texts_changed else []) and not ex._layout_deferred
        assert len(sent) == n + 2 and canvas._current_image_mode == "full"
        # either way, the picture the learner stops on is laid out as a fresh layout would lay it out
        laid_out, fresh = _fresh_layout(ex)
        np.testing.assert_allclose(laid_out, fresh, atol=2e-3)
        # a text the layout measures changes: the keyframe lays out again
        ex.fig.axes[0].set_title("a title\nof three lines\nfor the layout to make room")
        ex._full_draw_needed = True
        ex.update(lr_sgd=1.1e-3)
        assert ex._layout_deferred and len(layouts) == len(layouts[:1]) * texts_changed
        before = _positions(ex)
        ex._send_keyframe()
        assert not ex._layout_deferred and len(layouts) == 1 + texts_changed
        laid_out, fresh = _fresh_layout(ex)
        np.testing.assert_allclose(laid_out, fresh, atol=2e-3)
        assert np.abs(laid_out - before).max() > 5e-3   # the new label did move the axes
    finally:
        ex.close()


def test_a_deferred_layout_is_skipped_when_the_measured_texts_did_not_change():
    ex, canvas, sent, layouts = _live_race()
    try:
        ex.update(lr_sgd=1e-3)
        ex._send_keyframe()
        ex._last_frame = None
        texts = ex._texts()
        assert texts == ex._layout_texts            # laid out on the first draw
        before = _positions(ex)
        ex._full_draw_needed = True                 # a full redraw that changes no title, label or tick
        ex.update(lr_sgd=1.1e-3)
        assert ex._texts() == texts and ex._layout_deferred and layouts == []
        draws = []
        ex.fig.canvas.mpl_connect("draw_event", lambda e: draws.append(1))
        n = len(sent)
        ex._send_keyframe()
        assert layouts == [] and draws == [] and not ex._layout_deferred   # no layout, no redraw
        assert len(sent) == n + 1 and canvas._current_image_mode == "full"  # the picture again, whole
        np.testing.assert_array_equal(_positions(ex), before)
        laid_out, fresh = _fresh_layout(ex)                  # and it is what a fresh layout gives
        np.testing.assert_allclose(laid_out, fresh, atol=2e-3)
    finally:
        ex.close()


def test_a_keyframe_without_a_deferred_layout_resends_the_picture_without_redrawing():
    ex, canvas, sent, layouts = _live_race()
    try:
        ex.update(lr_sgd=1.1e-3)
        draws = []
        ex.fig.canvas.mpl_connect("draw_event", lambda e: draws.append(1))
        n = len(sent)
        ex._send_keyframe()
        assert draws == [] and layouts == [] and len(sent) == n + 1
        assert canvas._current_image_mode == "full" and not ex._moving()
    finally:
        ex.close()


def _make_live(ex):
    canvas, sent = _ipympl_canvas(ex.fig)
    frames.install(canvas)
    canvas.draw_idle = canvas.draw
    canvas.draw()
    return canvas, sent


def _ylims(ex):
    return [tuple(ax.get_ylim()) for ax in ex.fig.axes]


@pytest.mark.parametrize("kind", ["race", "clipping"])
def test_axis_ranges_only_widen_while_moving_and_fit_at_the_keyframe(kind):
    import matplotlib.pyplot as plt

    from gdlearn.widgets import clipping_explorer, optimizer_race

    backend = matplotlib.get_backend()
    plt.switch_backend("Agg")
    try:
        if kind == "race":
            make = lambda v: optimizer_race("rosenbrock", ["SGD", "Adam"], steps=60, figsize=(8, 3), lrs={"SGD": v})
            key, sweep = "lr_sgd", [1e-4, 0.5, 1e-4, 0.5, 3e-4, 1e-3]
        else:
            make = lambda v: clipping_explorer(threshold=v, steps=60)
            key, sweep = "threshold", [0.01, 100.0, 0.01, 100.0, 0.1, 1.0]
        ex = make(sweep[0])
        _make_live(ex)
        before = _ylims(ex)
        ex.update(**{key: sweep[0]})                       # a first frame: the controls are moving
        changed = False
        for v in sweep[1:]:
            ex.update(**{key: v})
            assert ex._moving()
            now = _ylims(ex)
            for (lo0, hi0), (lo1, hi1) in zip(before, now):  # each range contains the one before
                assert lo1 <= lo0 and hi1 >= hi0
            changed |= now != before
            before = now
        assert changed, "the sweep never needed a new range: the test tests nothing"
        ex._send_keyframe()                                # still: the ranges fit the last value
        fresh = make(sweep[-1])                            # as if no slider had moved
        np.testing.assert_allclose(_ylims(ex), _ylims(fresh), rtol=1e-12)
        assert not ex._settle_pending and ex.error is None
        fresh.close()
        ex.close()
    finally:
        plt.switch_backend(backend)


# -- frames sent before the browser's model said "initialized" (ipympl 0.10's syncing mode)


def _live_canvas_capturing_messages(install):
    fig, _ = _figure()
    canvas = _live_canvas(fig)
    if install:
        assert frames.install(canvas)
    messages = []
    canvas.send = lambda content, buffers=None: messages.append((json.loads(content["data"]), buffers))
    return fig, canvas, messages


def _frames_sent(messages):
    return [bytes(buffers[0]) for content, buffers in messages if content.get("type") == "binary"]


def _decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_a_frame_sent_before_the_browser_is_initialized_is_a_png_and_the_data_url_is_complete():
    """ipympl 0.10 sends raw RGBA pixels (and a data URL without "data:") until "initialized";
    the browser cannot decode them and the canvas stays 0 x 0. Ours sends PNGs in both states."""
    fig, canvas, messages = _live_canvas_capturing_messages(install=True)
    assert canvas.syncing_data_url  # a fresh canvas: the browser has not answered yet
    canvas.draw()  # webagg's draw sends the frame
    picture = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    (early,) = _frames_sent(messages)
    assert early.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(_decoded(early), picture)
    prefix = "data:image/png;base64,"
    assert canvas._data_url.startswith(prefix)
    np.testing.assert_array_equal(_decoded(base64.b64decode(canvas._data_url[len(prefix):])), picture)

    fig.axes[0].set_xlim(0, 1.5)  # a second early frame, a diff: the data URL is still the whole picture
    canvas.draw()
    assert canvas._current_image_mode == "diff"
    picture = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    diff = _frames_sent(messages)[-1]
    assert diff.startswith(b"\x89PNG\r\n\x1a\n")
    assert (_decoded(diff)[..., 3] == 0).any()  # zeros (transparent) where nothing changed
    np.testing.assert_array_equal(_decoded(base64.b64decode(canvas._data_url[len(prefix):])), picture)

    canvas._handle_message(canvas, {"type": "initialized"}, [])  # the browser's model is ready
    assert not canvas.syncing_data_url
    url = canvas._data_url
    fig.axes[0].set_xlim(0, 2)
    canvas._force_full = True  # a whole picture, to compare (a diff frame holds zeros elsewhere)
    canvas.draw()
    later = _frames_sent(messages)[-1]
    assert later.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(_decoded(later), np.asarray(canvas.get_renderer().buffer_rgba()))
    assert canvas._data_url == url  # no longer synced once the browser has the canvas


def test_the_reference_check_fails_on_ipympls_own_early_frame():
    """The check above can fail: ipympl's own sender, before "initialized", does not send a PNG.

    (If a future ipympl sends a PNG here, this test fails: then frames.send_frame can go.)"""
    _, canvas, messages = _live_canvas_capturing_messages(install=False)
    canvas.draw()
    (early,) = _frames_sent(messages)
    assert not early.startswith(b"\x89PNG")
    assert not canvas._data_url.startswith("data:")
