"""A person's view: JupyterLab in a real (headless) Chromium.

JupyterLab runs on a free local port with a throwaway token, on a temporary
copy of the course; Debian's Chromium (/usr/bin/chromium) is driven by
Playwright.  For each chapter with an explorer (CASES), the test opens the
chapter, runs all cells from the Run menu, and checks what a student would
see: no error output, an ipympl canvas and ipywidgets sliders; then it moves
the explorer's slider with the keyboard and checks that the figure changes.

On failure, screenshots, the page's text and HTML, the browser console and the
server log are saved in tests/artifacts/<test>-<time>/ (the path is printed).

Without Chromium or Playwright the test is skipped, except under CI=true
where it fails: CI must exercise it.

Environment overrides:
  GDLEARN_BROWSER_NOTEBOOK     check only this .ipynb (a path) instead of CASES
  GDLEARN_BROWSER_SLIDER       its slider's label, a regular expression (default: learning rate)
  GDLEARN_BROWSER_SCREENSHOTS  a folder: save screenshots of the page and the explorer to look at
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_server import CHROMIUM, CHROMIUM_ARGS, LabError, lab_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
BUDGET = 170.0  # seconds for the whole test, server start included

# (chapter notebook, pattern of the label of the slider to move): every chapter
# with an explorer, and one regression case. GDLEARN_BROWSER_NOTEBOOK / GDLEARN_BROWSER_SLIDER check one
# other notebook instead (a path; the slider label as a regular expression).
CASES = [
    ("00_welcome.ipynb", r"^x$"),
    ("02_gradient_descent.ipynb", r"learning rate"),
    ("04_stochastic_minibatch.ipynb", r"batch size"),
    ("05_momentum.ipynb", r"momentum β"),
    ("06_adaptive.ipynb", r"^step$"),
    ("07_troubleshooting.ipynb", r"threshold"),
    ("08_second_order.ipynb", r"step k"),
    # not a chapter: a frame drawn before the browser's canvas model is ready (see the notebook)
    ("../tests/browser_notebooks/early_frame.ipynb", r"learning rate"),
]
if os.environ.get("GDLEARN_BROWSER_NOTEBOOK"):
    CASES = [(os.environ["GDLEARN_BROWSER_NOTEBOOK"], os.environ.get("GDLEARN_BROWSER_SLIDER", "learning rate"))]

pytestmark = pytest.mark.browser

KERNEL_STATUS = '.jp-StatusBar-TextItem[title^="Change kernel"]'
ERROR_OUTPUT = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
)


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but the browser test cannot run: {reason}")
    pytest.skip(reason)


class Deadline:
    """One time budget for the whole test; every wait takes what is left."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        """Seconds left, at most `cap`; fail when the budget is spent."""
        left = self.end - time.monotonic()
        if left <= 0:
            pytest.fail(f"the browser test ran out of its {BUDGET:.0f} s budget")
        return min(cap, left)

    def ms(self, cap: float) -> float:
        return 1000 * self.left(cap)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server, for all cases, on a temporary copy of the notebooks' folders.

    Yields (base_url, token, root of the copy, server log path).
    """
    tmp_path = tmp_path_factory.mktemp("lab")
    course = tmp_path / "course"
    for folder in {(ROOT / "chapters" / name).resolve().parent for name, _ in CASES}:
        shutil.copytree(folder, course / folder.name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if (ROOT / "jupytext.toml").exists():
        shutil.copy(ROOT / "jupytext.toml", course / "jupytext.toml")
    try:
        with lab_server(course, tmp_path) as (base, token, log_path):
            yield base, token, course, log_path
    except LabError as exc:
        pytest.fail(str(exc))


def _save_artifacts(page, name: str, console: list[str], log_path: Path) -> Path:
    out = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    for what, save in [
        ("page.png", lambda: page.screenshot(path=str(out / "page.png"), full_page=True, timeout=10_000)),
        ("notebook.png", lambda: page.locator(".jp-NotebookPanel:visible .jp-WindowedPanel-outer, "
                                              ".jp-NotebookPanel:visible .jp-Notebook").first.screenshot(
            path=str(out / "notebook.png"), timeout=10_000)),
        ("page.txt", lambda: (out / "page.txt").write_text(page.inner_text("body", timeout=10_000))),
        ("page.html", lambda: (out / "page.html").write_text(page.content())),
    ]:
        try:
            save()
        except Exception as exc:  # keep saving the rest
            (out / f"{what}.error").write_text(repr(exc))
    try:
        figures = page.locator(".jupyter-matplotlib")
        for i in range(min(figures.count(), 10)):
            figures.nth(i).scroll_into_view_if_needed(timeout=5_000)
            figures.nth(i).screenshot(path=str(out / f"figure-{i}.png"), timeout=5_000)
    except Exception as exc:
        (out / "figures.error").write_text(repr(exc))
    (out / "console.txt").write_text("\n".join(console))
    if log_path.exists():
        shutil.copy(log_path, out / "jupyter-server.log")
    return out


# JavaScript run in the page ---------------------------------------------------

JS_PROMPTS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
    .map(e => e.textContent.trim())"""

JS_KERNEL_IDLE = (
    "/\\| Idle$/.test(document.querySelector('" + KERNEL_STATUS + "')?.textContent.trim() || '')"
)

# a digest of every drawn ipympl canvas (the image layer, z-index 0) under root
JS_CANVAS_DIGESTS = """(root) => Array.from((root || document).querySelectorAll('.jupyter-matplotlib canvas'))
    .filter(c => c.width > 0 && c.height > 0 && getComputedStyle(c).zIndex === '0')
    .map(c => {
        let url;
        try { url = c.toDataURL('image/png'); } catch (e) { return 'tainted:' + e; }
        let h = 0;
        for (let i = 0; i < url.length; i++) { h = (h * 31 + url.charCodeAt(i)) | 0; }
        return url.length + ':' + h;
    })"""


# the share of "inked" pixels (drawn, not white or transparent) of each drawn canvas under root:
# a canvas that shows only the moving lines of an explorer, or nothing, has almost none
JS_CANVAS_INK = """(root) => Array.from((root || document).querySelectorAll('.jupyter-matplotlib canvas'))
    .filter(c => c.width > 0 && c.height > 0 && getComputedStyle(c).zIndex === '0')
    .map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) ink++;
        }
        return ink / (d.length / 4);
    })"""
MIN_INK = 0.02   # axes, ticks and labels alone ink a few percent of a figure


def _wait_js(page, deadline: Deadline, js: str, what: str, cap: float, arg=None):
    """page.wait_for_function with a bounded timeout and a message saying what did not happen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    timeout = deadline.left(cap)
    try:
        page.wait_for_function(js, arg=arg, timeout=1000 * timeout, polling=250)
    except PlaywrightTimeout:
        pytest.fail(f"{what} (waited {timeout:.0f} s)")


def _stable_digests(page, deadline: Deadline, scope) -> list[str]:
    """Canvas digests once two readings 0.5 s apart agree (the first draw has settled)."""
    js = f"(root) => ({JS_CANVAS_DIGESTS})(root)"
    previous = page.evaluate(js, scope)
    for _ in range(int(deadline.left(15) / 0.5)):
        time.sleep(0.5)
        current = page.evaluate(js, scope)
        if current == previous:
            return current
        previous = current
    pytest.fail("the figure kept changing without any input; cannot tell whether the slider changes it")


def _errors_on_page(page) -> list[str]:
    texts = [t for t in page.locator(ERROR_OUTPUT).all_inner_texts() if re.search(r"Traceback|Error", t)]
    widget_errors = page.locator(".jp-OutputArea-output", has_text=re.compile(
        r"Error displaying widget|Failed to load model class|Model not found")).all_inner_texts()
    return texts + widget_errors


def _look(page, cell, name: str) -> None:
    """With GDLEARN_BROWSER_SCREENSHOTS=DIR, save the page and the explorer's cell to look at."""
    folder = os.environ.get("GDLEARN_BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"page-{name}.png"))
        cell.screenshot(path=str(Path(folder) / f"explorer-{name}.png"))


@pytest.mark.parametrize("notebook, slider_label", CASES, ids=[Path(n).stem for n, _ in CASES])
def test_chapter_runs_and_slider_moves_figure(lab, request, notebook, slider_label):
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python Playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (Debian package 'chromium'; `make test` installs it as root)")

    base, token, course, log_path = lab
    source = (ROOT / "chapters" / notebook).resolve()
    nb_path = f"{source.parent.name}/{source.name}"
    assert (course / nb_path).exists(), f"{source} does not exist"
    deadline = Deadline(BUDGET - 15)  # the server has started already
    console: list[str] = []
    timings: dict[str, float] = {}
    t0 = time.monotonic()

    def mark(step: str):
        timings[step] = round(time.monotonic() - t0, 1)

    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                        timeout=deadline.ms(30))
        except PlaywrightError as exc:
            _unavailable(f"Chromium does not start: {exc}")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(deadline.ms(30))
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        try:
            # 1. open the notebook, wait for its kernel
            # A workspace of its own per case: the default workspace would reopen the notebooks
            # of the earlier cases as hidden tabs, and the selectors below would find their cells.
            workspace = re.sub(r"[^A-Za-z0-9_-]", "-", source.stem)
            page.goto(f"{base}/lab/workspaces/{workspace}/tree/{nb_path}?token={token}",
                      timeout=deadline.ms(60))
            page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=deadline.ms(60))
            mark("notebook shown")
            _wait_js(page, deadline, f"() => {JS_KERNEL_IDLE}", "the kernel did not become idle", 60)
            mark("kernel idle")
            assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
            prompts = page.evaluate(JS_PROMPTS)
            assert prompts, "no code cells found"

            # 2. Run > Run All Cells, as a person would
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
            # started: a prompt leaves "[ ]:"; done: no "[*]" and the kernel idle again
            _wait_js(page, deadline, f"() => ({JS_PROMPTS})().some(t => t !== '[ ]:')",
                     "Run All Cells did not start any cell", 30)
            _wait_js(page, deadline, f"() => !({JS_PROMPTS})().some(t => t.includes('*')) && {JS_KERNEL_IDLE}",
                     "the cells were still running", 120)
            mark("all cells ran")
            prompts = page.evaluate(JS_PROMPTS)
            errors = _errors_on_page(page)
            assert not errors, "error output after Run All:\n" + "\n---\n".join(e[-2000:] for e in errors)
            not_run = [i for i, t in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", t)]
            assert not not_run, f"code cells {not_run} did not run (prompts {prompts})"

            # 3. the live figure and the sliders render
            page.locator(".jupyter-matplotlib canvas").first.wait_for(state="visible", timeout=deadline.ms(30))
            assert page.locator(".widget-slider .noUi-handle").first.is_visible()
            slider = page.locator(".widget-slider").filter(
                has=page.locator(".widget-label", has_text=re.compile(slider_label, re.I))
            )
            assert slider.count() >= 1, f"no slider described {slider_label!r}: " + repr(
                page.locator(".widget-slider .widget-label").all_inner_texts())
            slider = slider.first
            slider.scroll_into_view_if_needed()
            handle = slider.locator(".noUi-handle")
            readout = slider.locator(".widget-readout")
            # The figure to watch is the one in the slider's own cell (an
            # explorer shows its controls and figure together); a notebook
            # whose explorer figure sits elsewhere falls back to all figures.
            cell = slider.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-Cell ')][1]")
            scope = cell.element_handle() if cell.locator(".jupyter-matplotlib canvas").count() else None
            _wait_js(page, deadline, f"(root) => ({JS_CANVAS_DIGESTS})(root).length > 0",
                     "no ipympl canvas was drawn", 30, arg=scope)
            # the whole figure has arrived (not a blank canvas, nor the moving lines alone)
            _wait_js(page, deadline, f"(root) => ({JS_CANVAS_INK})(root).every(x => x >= {MIN_INK})",
                     "the figure stayed blank (or showed only its moving lines)", 60, arg=scope)
            before = _stable_digests(page, deadline, scope)
            readout_before = readout.inner_text()
            mark("figure and sliders shown")
            _look(page, cell, f"{source.stem}-before")

            # 4. move the slider with the keyboard; the figure must follow
            handle.focus()
            keys = ["ArrowRight"] * 5
            for key in keys:
                page.keyboard.press(key)
                time.sleep(0.1)
            time.sleep(0.5)
            if readout.inner_text() == readout_before:  # at its maximum: go the other way
                keys = ["ArrowLeft"] * 5
                for key in keys:
                    page.keyboard.press(key)
                    time.sleep(0.1)
            _wait_js(
                page, deadline,
                "([root, before]) => { const now = (" + JS_CANVAS_DIGESTS + ")(root);"
                " return now.length !== before.length || now.some((d, i) => d !== before[i]); }",
                f"the figure did not change after {keys[0]} x{len(keys)} on the {slider_label!r} slider "
                f"(readout {readout_before} -> {readout.inner_text()})",
                30,
                arg=[scope, before],
            )
            mark("figure changed")
            time.sleep(1.0)  # the last frames arrive
            ink = page.evaluate(f"(root) => ({JS_CANVAS_INK})(root)", scope)
            assert all(x >= MIN_INK for x in ink), (
                f"after the slider moved the figure lost its background (inked share {ink}): "
                "only the moving lines were drawn")
            assert readout.inner_text() != readout_before, "the slider's readout did not change"
            time.sleep(0.5)
            _look(page, cell, f"{source.stem}-after")
            errors = _errors_on_page(page)
            assert not errors, "error output after moving the slider:\n" + "\n---\n".join(errors)
            print(f"browser test timings (s since the server answered): {timings}; "
                  f"figure watched: {'the slider cell' if scope else 'all figures'}")
        except BaseException:
            out = _save_artifacts(page, request.node.name, console, log_path)
            print(f"\nbrowser test failed after {timings}; artifacts in {out}", file=sys.stderr)
            print(f"browser test failed; artifacts in {out}")
            raise
        finally:
            browser.close()
