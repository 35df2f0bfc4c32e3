"""What the learner feels: slider to repainted pixels, in JupyterLab and Chromium.

``browser_<explorer>_ms`` rows (and ``browser_interact_inline_ms``, the baseline)::

    python benchmarks/browser_bench.py [--quick] [--only learning_rate ...]

The kernel-side rows (``slider_frame_ms`` ...) stop where ipympl hands a PNG to
the comm.  A learner waits for more: the slider's message to the kernel, the
update, the PNG, the message back, the browser's decode and the paint.  This
benchmark measures all of it, in the page, as a learner would move a slider:

* JupyterLab starts on a throwaway server (``tests/lab_server.py``) with a
  small notebook per explorer (the explorer with the chapter's defaults) and
  one for the baseline: ``ipywidgets.interact`` with the inline backend showing
  the same figure as the learning-rate explorer, rebuilt per change.
* Before the notebook runs, the page wraps ``CanvasRenderingContext2D.drawImage``
  (ipympl paints every frame it receives with it) and watches for new ``<img>``
  elements (what ``interact`` + inline shows), each decoded.
* A key press: an ``ArrowRight``/``ArrowLeft`` ``keydown`` dispatched on the
  focused slider handle, at time t0 (``performance.now()``).  The latency is
  the time from t0 to the first animation frame that follows a draw (or a
  decoded image) in the explorer's cell: the first frame whose pixels can
  show the new state.  Presses are 600 ms apart (an explorer sends a full
  keyframe 150 ms after the last change; that one must not be counted for the
  next press).  The row gives median, p90 and the sample size.
* A drag: the mouse pulls the handle across its track in small moves for
  2 s.  The row gives the slider values sent (readout changes), the frames the
  page painted in the cell during the drag and after it (up to 1 s), frames per
  second, and ``dropped`` = values whose frame never came (the explorer
  coalesces: the latest value wins).

Where the time goes: the page also timestamps every kernel message that
carries a binary buffer (ipympl's frames) as it arrives on the websocket.
``frame_in`` (median / p90) is a press to the first frame's arrival: the
slider's message, the server, the kernel's update and PNG, the way back.
The rest, arrival to painted pixels, is the browser's: ipympl 0.10 re-encodes
its whole canvas with ``toDataURL`` on every frame it receives (for the saved
widget state; ~16 ms for 900 x 400 pixels on the project's machine), then
decodes the PNG and paints on the next animation frame.

The machine's load average is in every row (``benchmarks/run.py`` adds it):
on a busy machine these are not the idle figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from lab_server import CHROMIUM, CHROMIUM_ARGS, lab_server  # noqa: E402

SETUP = "%matplotlib widget\nfrom gdlearn.notebook import setup\nsetup()\n"

# name: (code that displays the explorer as the cell's value, slider label regex)
EXPLORERS = {
    "tangent": ("from gdlearn import surfaces, widgets\n"
                "widgets.tangent_explorer(surfaces.double_well, x=-0.5)", r"^x$"),
    "learning_rate": ("from gdlearn.widgets import learning_rate_explorer\n"
                      "learning_rate_explorer(lr=0.1)", r"^learning rate$"),
    "batch_size": ("from gdlearn.widgets import batch_size_explorer\n"
                   "batch_size_explorer(batch_size=10)", r"^batch size$"),
    "momentum": ("from gdlearn.widgets import momentum_explorer\nmomentum_explorer()", r"^momentum β$"),
    "race": ("from gdlearn.widgets import optimizer_race\noptimizer_race()", r"^SGD lr$"),
    "clipping": ("from gdlearn.widgets import clipping_explorer\nclipping_explorer()", r"^threshold c$"),
    "newton": ("from gdlearn.widgets import newton_explorer\nnewton_explorer()", r"^step k$"),
}

# The baseline: interact + the inline backend, the learning-rate explorer's figure rebuilt per change
# (the same figure benchmarks/run.py's slider_update_ms baseline builds).
BASELINE = ("interact_inline", """%matplotlib inline
import matplotlib.pyplot as plt
import ipywidgets as widgets
from gdlearn import plotting
from gdlearn.optim import sgd
from gdlearn.run import run
from gdlearn.surfaces import rosenbrock

def show(lr):
    fig, (ax, lax) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    plotting.plot_contours(rosenbrock, ax=ax)
    trace = run(sgd(lr=lr), rosenbrock, rosenbrock.start, 200)
    plotting.plot_path(trace, ax=ax, label="sgd")
    plotting.plot_loss(trace, ax=lax, f_star=0.0)
    plt.show()

widgets.interact(show, lr=widgets.FloatLogSlider(value=1e-3, base=10, min=-4.5, max=-2, step=0.05,
                                                 description="learning rate"));""", r"^learning rate$")

# Installed before the page loads: the arrival time of every websocket message with binary buffers
# (Jupyter's v1 kernel protocol: [n, offsets...] then channel, header, parent, metadata, content, buffers).
JS_WEBSOCKET = """(() => {
  const frames = window.__gdFrames = [];
  const Orig = window.WebSocket;
  window.WebSocket = class extends Orig {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', ev => {
        const t = performance.now(), d = ev.data;
        if (d instanceof ArrayBuffer && d.byteLength >= 8
            && Number(new DataView(d).getBigUint64(0, true)) > 6) frames.push(t);
      });
    }
  };
})();"""

# Installed in the page before the notebook runs: timestamps of canvas draws and decoded images.
JS_INSTALL = """() => {
  if (window.__gd) return;
  const draws = [], imgs = [];
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...a) {
    draws.push([performance.now(), this.canvas]);
    return orig.apply(this, a);
  };
  new MutationObserver(ms => {
    for (const m of ms) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      const list = n.tagName === 'IMG' ? [n] : Array.from(n.querySelectorAll('img'));
      for (const img of list) img.decode().then(() => imgs.push([performance.now(), img])).catch(() => {});
    }
  }).observe(document.body, {subtree: true, childList: true});
  window.__gd = {draws, imgs};
}"""

# One key press on the handle; resolves with ms from the event to the first frame after a paint in `root`.
JS_PRESS = """([handle, root, key]) => new Promise(resolve => {
  const gd = window.__gd;
  const t0 = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, code: key, bubbles: true, cancelable: true}));
  const seen = () => gd.draws.some(([t, c]) => t > t0 && root.contains(c))
                  || gd.imgs.some(([t, img]) => t > t0 && root.contains(img));
  const frame = () => {
    if (seen()) {
      const arrived = (window.__gdFrames || []).find(t => t > t0);
      return resolve([performance.now() - t0, arrived === undefined ? null : arrived - t0]);
    }
    if (performance.now() - t0 > 5000) return resolve(null);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})"""

JS_COUNT = """([root, since]) => ({
  draws: window.__gd.draws.filter(([t, c]) => t > since && root.contains(c)).map(([t]) => t),
  imgs: window.__gd.imgs.filter(([t, img]) => t > since && root.contains(img)).map(([t]) => t),
  now: performance.now()})"""

JS_WATCH_READOUT = """(readout) => {
  window.__gdValues = [];
  new MutationObserver(() => window.__gdValues.push([performance.now(), readout.textContent]))
    .observe(readout, {subtree: true, childList: true, characterData: true});
}"""

JS_PROMPTS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')).map(e => e.textContent.trim())"""
JS_IDLE = """() => /\\| Idle$/.test(document.querySelector(
    '.jp-StatusBar-TextItem[title^="Change kernel"]')?.textContent.trim() || '')"""


def _notebook(code: str) -> dict:
    cells = [SETUP if not code.startswith("%matplotlib inline") else "", code]
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                       "outputs": [], "source": src} for i, src in enumerate(cells) if src],
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _open_and_run(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/workspaces/bench-{name}/tree/{name}.ipynb?token={token}", timeout=60_000)
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.wait_for_function(JS_IDLE, timeout=60_000, polling=100)
    page.evaluate(JS_INSTALL)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_function(f"() => ({JS_PROMPTS})().some(t => t !== '[ ]:')", timeout=30_000, polling=100)
    page.wait_for_function(f"() => !({JS_PROMPTS})().some(t => t.includes('*')) && ({JS_IDLE})()",
                           timeout=120_000, polling=100)


def _measure(page, label: str, presses: int, drag_s: float) -> dict:
    slider = page.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=re.compile(label, re.I))).first
    slider.scroll_into_view_if_needed()
    cell = slider.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-Cell ')][1]")
    root = cell.element_handle()
    handle = slider.locator(".noUi-handle")
    page.wait_for_function("(root) => root.querySelector('canvas, img') !== null", arg=root, timeout=60_000)
    time.sleep(1.5)  # the first full frame and its keyframe have arrived
    handle.focus()
    latencies, arrivals, missed = [], [], 0
    for i in range(presses):
        key = "ArrowRight" if (i // 5) % 2 == 0 else "ArrowLeft"  # back and forth, never stuck at an end
        got = page.evaluate(JS_PRESS, [handle.element_handle(), root, key])
        if got is None:
            missed += 1
        else:
            latencies.append(got[0])
            if got[1] is not None:
                arrivals.append(got[1])
        time.sleep(0.6)
    # a drag across the track
    readout = slider.locator(".widget-readout").element_handle()
    page.evaluate(JS_WATCH_READOUT, readout)
    track = slider.locator(".noUi-target").bounding_box()
    box = handle.bounding_box()
    x0, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    left, right = track["x"] + 2, track["x"] + track["width"] - 2
    since = page.evaluate("() => performance.now()")
    page.mouse.move(x0, y)
    page.mouse.down()
    moves = max(2, int(drag_s * 60))
    t_start = time.perf_counter()
    for k in range(moves):
        frac = k / (moves - 1)
        # out to one end, then the other: a learner sweeping the slider
        target = left + (right - left) * (0.5 + 0.5 * __import__("math").sin(2 * 3.14159 * frac))
        page.mouse.move(target, y)
        time.sleep(max(0.0, t_start + (k + 1) * drag_s / moves - time.perf_counter()))
    page.mouse.up()
    drag_end = page.evaluate("() => performance.now()")
    time.sleep(1.0)
    counts = page.evaluate(JS_COUNT, [root, since])
    values = page.evaluate("() => window.__gdValues")
    painted = sorted(counts["draws"] + counts["imgs"])
    during = [t for t in painted if t <= drag_end]
    sent = len({v for _, v in values})
    duration = (drag_end - since) / 1000
    frames = len(painted)
    return {
        "latencies": latencies, "arrivals": arrivals, "missed": missed,
        "drag": {"values_sent": len(values), "distinct_values": sent, "frames": frames,
                 "frames_during_drag": len(during), "fps": round(len(during) / duration, 1),
                 "dropped": max(0, len(values) - frames), "seconds": round(duration, 2)},
    }


def measure(names: list[str] | None = None, quick: bool = False) -> dict[str, dict]:
    """Run the browser measurements; {name: result} for each explorer and the baseline."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing (Debian's chromium)")
    names = names or list(EXPLORERS)
    presses = 8 if quick else 25
    drag_s = 1.0 if quick else 2.0
    cases = {n: EXPLORERS[n] for n in names}
    cases[BASELINE[0]] = BASELINE[1:]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="gdlearn-browser-bench-") as tmp:
        tmp = Path(tmp)
        course = tmp / "course"
        course.mkdir()
        for name, (code, _) in cases.items():
            (course / f"{name}.ipynb").write_text(json.dumps(_notebook(code)), encoding="utf-8")
        with lab_server(course, tmp) as (base, token, _log), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for name, (_, label) in cases.items():
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.add_init_script(JS_WEBSOCKET)
                    try:
                        _open_and_run(page, base, token, name)
                        results[name] = _measure(page, label, presses, drag_s)
                    finally:
                        page.close()
            finally:
                browser.close()
    return results


def rows(results: dict[str, dict], quick: bool = False) -> list[dict]:
    base = results.get(BASELINE[0])
    base_p90 = _quantile(base["latencies"], 0.9) if base and base["latencies"] else None
    out = []
    for name, r in results.items():
        lat = r["latencies"]
        row = {"name": f"browser_{name}_ms", "value": round(statistics.median(lat), 1) if lat else None,
               "unit": "ms", "p90": round(_quantile(lat, 0.9), 1) if lat else None, "n": len(lat),
               "missed": r["missed"], "goal": 50.0, "drag": r["drag"], "quick": quick}
        arr = r.get("arrivals") or []
        if arr:  # a press to the frame's arrival on the websocket; the rest is the browser's
            row["frame_in"] = [round(statistics.median(arr), 1), round(_quantile(arr, 0.9), 1)]
        if name != BASELINE[0] and base and base["latencies"]:
            row.update(baseline="interact + inline, the learning-rate figure rebuilt per change",
                       baseline_value=round(statistics.median(base["latencies"]), 1),
                       baseline_p90=round(base_p90, 1),
                       speedup=round(statistics.median(base["latencies"]) / row["value"], 1) if lat else None)
        out.append(row)
    return out


_CACHE: dict[bool, dict[str, dict]] = {}


def bench_for(name: str):
    """The ``benchmarks/run.py`` function of row ``browser_<name>_ms``.

    One JupyterLab session measures every explorer and the baseline (the
    first row asked for pays for all, the others reuse it), so that all rows
    come from the same run on the same load.
    """
    def bench(quick: bool) -> dict:
        if quick not in _CACHE:
            _CACHE[quick] = {row["name"]: row for row in rows(measure(None, quick), quick)}
        row = dict(_CACHE[quick][f"browser_{name}_ms"])
        row.pop("name")
        return row

    bench.__doc__ = f"Slider to painted pixels in JupyterLab + Chromium: {name} (benchmarks/browser_bench.py)."
    return bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", choices=list(EXPLORERS))
    args = parser.parse_args(argv)
    for row in rows(measure(args.only, args.quick), args.quick):
        row.update(loadavg=[round(v, 2) for v in os.getloadavg()], cpus=os.cpu_count())
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
