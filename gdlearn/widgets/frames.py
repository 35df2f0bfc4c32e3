"""Faster PNG frames for a live ipympl canvas.

ipympl sends every frame of a live figure to the browser as a PNG, made by
matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` with Pillow's default
PNG settings. Those settings choose a row filter per row and then deflate at
level 6, which on the explorers' 900 × 400 figures costs about as much as the
update itself (a 200-step run and a blit): ``benchmarks/run.py``'s
``slider_frame_ms`` measured 9.6 ms median (p90 21) per update with
matplotlib's encoder against 5.0 ms (p90 12) with this module, in the same
run at a load of 4–6 on the project's 2-core machine. A frame that is on
screen for a fraction of a second does not need the smallest file.

:func:`install` replaces that method on one canvas by :func:`diff_image`,
which makes the same picture (the same pixels, the same full/diff choice and
the same ``image_mode`` messages) with one fixed row filter ("Sub", computed
with numpy) and deflate level 1, and skips the blank rows of a diff frame
(cached deflate blocks of zeros): a few milliseconds a frame, and files of
about the same size (a full frame 65–70 kB either way; a diff frame 5–10 kB
instead of 3–4).

:func:`install` also replaces ipympl's ``send_binary`` by :func:`send_frame`,
which works around a bug of ipympl 0.10: until the browser's model of the
canvas has said "initialized", ipympl's ``send_binary`` sends the canvas's raw
RGBA pixels where the browser expects a PNG, and stores the PNG in the
``_data_url`` trait without its ``data:image/png;base64,`` prefix. The
browser cannot decode either ("The HTMLImageElement provided is in the
'broken' state"), and JupyterLab then throws inside ipympl's resize handler,
so the explorer's canvas stays 0 x 0 pixels: an empty figure that no slider
repaints. An explorer sends such an early frame when its keyframe timer
fires before the browser has caught up (a busy machine, or "Run All" with
more cells after the explorer's): seen once in the browser test under load.
:func:`send_frame` sends the PNG and stores a complete data URL.

The replacements are per canvas (attributes of the instance), so figures that
are not explorers keep matplotlib's encoder and ipympl's sender; if the canvas
lacks the attributes this relies on (a future version), :func:`install`
leaves the canvas alone and returns ``False``.

Examples
--------
>>> import numpy as np
>>> from PIL import Image
>>> import io
>>> rgba = np.zeros((2, 3, 4), np.uint8); rgba[..., 3] = 255; rgba[1, 2, 0] = 200
>>> back = np.asarray(Image.open(io.BytesIO(encode_png(rgba))))
>>> bool((back == rgba).all())
True
"""

from __future__ import annotations

import functools
import struct
import types
import zlib
from base64 import b64encode
from typing import Any

import numpy as np

__all__ = ["encode_png", "diff_image", "send_frame", "install"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NEEDED = ("_png_is_old", "_force_full", "_last_buff", "set_image_mode", "get_renderer")


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def _zero_rows(row_bytes: int, n: int) -> bytes:
    """Raw deflate data (ending on a byte boundary, not final) for ``n`` all-zero rows."""
    out = []
    k = 0
    while n:
        if n & 1:
            out.append(_zero_block(row_bytes, 1 << k))
        n >>= 1
        k += 1
    return b"".join(out)


@functools.lru_cache(maxsize=64)
def _zero_block(row_bytes: int, rows: int) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(bytes(row_bytes * rows)) + c.flush(zlib.Z_SYNC_FLUSH)


def _adler32_zeros(value: int, n: int) -> int:
    """zlib.adler32 of ``n`` zero bytes continued from ``value``: s1 stays, s2 grows by n·s1."""
    s1, s2 = value & 0xFFFF, value >> 16
    return (((s2 + n * s1) % 65521) << 16) | s1


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """An 8-bit RGBA PNG of ``rgba`` (shape ``(height, width, 4)``, uint8), fast.

    Rows that are all zero (the untouched part of a diff frame) use PNG filter
    type 0 and cached deflate blocks; the others use filter type 1 ("Sub":
    each byte minus the byte four to its left, modulo 256), deflated at
    ``level``.

    Parameters
    ----------
    rgba : numpy.ndarray
        ``uint8`` array of shape ``(height, width, 4)``.
    level : int
        zlib compression level, 0–9.

    Returns
    -------
    bytes
        A complete PNG file.
    """
    rgba = np.ascontiguousarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"rgba must be a uint8 array of shape (height, width, 4), got {rgba.dtype} {rgba.shape}")
    if not 0 <= int(level) <= 9:
        raise ValueError(f"level must be in 0..9, got {level}")
    h, w, _ = rgba.shape
    flat = rgba.reshape(h, w * 4)
    busy = np.flatnonzero(flat.view(np.uint32).any(axis=1))
    top, bottom = (int(busy[0]), int(busy[-1]) + 1) if busy.size else (h, h)  # rows [top, bottom) hold pixels
    band = flat[top:bottom]
    raw = np.empty((bottom - top, w * 4 + 1), np.uint8)
    raw[:, 0] = 1  # filter type Sub
    raw[:, 1:5] = band[:, :4]
    np.subtract(band[:, 4:], band[:, :-4], out=raw[:, 5:])  # uint8 arithmetic wraps modulo 256
    raw = raw.tobytes()
    row_bytes = w * 4 + 1  # a zero row: filter type 0 and zero bytes
    deflate = zlib.compressobj(int(level), zlib.DEFLATED, -15)
    body = (_zero_rows(row_bytes, top) + deflate.compress(raw) + deflate.flush(zlib.Z_SYNC_FLUSH)
            + _zero_rows(row_bytes, h - bottom) + b"\x03\x00")  # b"\x03\x00": an empty final block
    check = _adler32_zeros(zlib.adler32(raw, _adler32_zeros(1, top * row_bytes)), (h - bottom) * row_bytes)
    idat = b"\x78\x01" + body + struct.pack(">I", check)  # zlib header (deflate, 32 KiB window), data, Adler-32
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8 bits, colour type 6 (RGBA)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def diff_image(canvas: Any) -> bytes | None:
    """``get_diff_image`` of matplotlib's web canvas, with :func:`encode_png`.

    The same decisions as matplotlib's (3.8–3.11): a full frame when
    ``_force_full`` is set, the size changed, or any pixel is transparent;
    else a diff frame holding the changed pixels and zeros (transparent)
    elsewhere. ``None`` when the picture is not new.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    last = canvas._last_buff
    if canvas._force_full or buff.shape != last.shape or (pixels[:, :, 3] != 255).any():
        canvas.set_image_mode("full")
        output = buff
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != last, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return encode_png(output.view(np.uint8).reshape(*output.shape, 4))


def send_frame(canvas: Any, png: bytes) -> None:
    """ipympl's ``Canvas.send_binary``, sending the PNG ``png`` in every state.

    ipympl 0.10 (``backend_nbagg.Canvas.send_binary``), while
    ``syncing_data_url`` is true (the browser has not said "initialized"),
    replaces the frame by the canvas's raw RGBA buffer before sending it and
    stores the base64 PNG in ``_data_url`` without the ``data:`` prefix. Here
    the frame goes out as it came, and ``_data_url`` (which ipympl's browser
    model loads when it is created from the kernel's state) is a complete
    ``data:image/png;base64,...`` URL of the whole picture (the last full
    buffer), as ipympl's own ``_repr_mimebundle_`` writes it. A full frame
    is that picture already and is stored as it is; only a diff frame makes
    the canvas encode the whole picture once more.
    """
    last = canvas._last_buff
    if canvas.syncing_data_url and last.dtype == np.uint32 and last.ndim == 2 and last.size:
        if getattr(canvas, "_current_image_mode", None) == "full":
            whole = png  # a full frame is already the whole picture
        else:  # a diff frame holds zeros where nothing changed
            whole = encode_png(last.view(np.uint8).reshape(*last.shape, 4))
        canvas._data_url = "data:image/png;base64," + b64encode(whole).decode("ascii")
    canvas.send({"data": '{"type": "binary"}'}, buffers=[png])


def install(canvas: Any) -> bool:
    """Make ``canvas`` (a live web canvas, e.g. ipympl's) encode its frames with :func:`diff_image`.

    Returns ``True`` when installed, ``False`` (canvas unchanged) when the
    canvas is not one of matplotlib's web canvases as this module knows them.
    """
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore

    if not isinstance(canvas, FigureCanvasWebAggCore) or not all(hasattr(canvas, a) for a in _NEEDED):
        return False
    canvas.get_diff_image = types.MethodType(diff_image, canvas)
    # ipympl's Canvas (and its send_binary not already replaced on this instance)
    if hasattr(canvas, "syncing_data_url") and "send_binary" not in vars(canvas):
        canvas.send_binary = types.MethodType(send_frame, canvas)
    return True
