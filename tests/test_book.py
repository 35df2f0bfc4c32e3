"""The course as a website, read the way a person reads it.

Builds the site once for this module (``book/build.py``, as ``make book``
does, into ``_build/``: notebooks already executed for the same notebook and
library are reused from ``_build/cache``), serves it on a free local port and
opens every page in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright) with every request off localhost blocked.  Each page must have:
no console error and no failed request, every image loaded, every formula
typeset by MathJax (served from the site, with no TeX error), headings in
order (one h1, no level skipped), and no internal link to a missing page or
anchor.  The search page must find "momentum".  The checks are shown to fail
on a copy of the site with a planted broken image, broken formula, broken
link and skipped heading level.

Without Chromium or Playwright the test is skipped, except under CI=true
where it fails.

Environment overrides:
  GDLEARN_BOOK_SITE         check this already built site (a folder) instead of building
  GDLEARN_BOOK_SCREENSHOTS  a folder: save screenshots of three pages to look at
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PAGE_TIMEOUT = 60_000  # ms for one page to load and typeset

pytestmark = pytest.mark.browser


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but the book test cannot run: {reason}")
    pytest.skip(reason)


def _load_build():
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# fixtures ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def site() -> Path:
    """The built site (_build/html): built once for the module, reusing executed notebooks."""
    if os.environ.get("GDLEARN_BOOK_SITE"):
        return Path(os.environ["GDLEARN_BOOK_SITE"]).resolve()
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "book" / "build.py")], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode:
        pytest.fail(f"book/build.py failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    print(f"book built in {time.perf_counter() - start:.0f} s:\n{result.stdout}")
    return ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (install Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on a free localhost port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(site):
    with serve(site) as base:
        yield base


def pages_of(site: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (Sphinx's own build files left out)."""
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not set(p.relative_to(site).parts) & {"_static", "_sources", ".doctrees"})


# the checks --------------------------------------------------------------------

JS_IMAGES = """async () => {
    const imgs = Array.from(document.images);
    imgs.forEach(i => { i.loading = 'eager'; });
    await Promise.all(imgs.map(i => i.decode().catch(() => null)));
    return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
}"""

# Sphinx's math elements (MathJax 2 uses class "math" for spans of its own output too)
MATH = "span.math.notranslate, div.math.notranslate"
JS_HAS_MATH = f"() => document.querySelectorAll('{MATH}').length"

# MathJax 2: wait for the end of its startup typesetting, then list the formulas it did not render
JS_MATH = """() => new Promise(resolve => {
    const done = () => {
        const math = Array.from(document.querySelectorAll('MATH'));
        const untypeset = math.filter(m => !m.querySelector('.MathJax, .MathJax_Display, .MathJax_SVG'))
                              .map(m => m.textContent.slice(0, 80));
        const errors = Array.from(document.querySelectorAll('.merror, .MathJax_Error'))
                            .map(e => (e.closest('.MathJax, .MathJax_Display') || e).textContent.slice(0, 80)
                                      + ' [' + (e.getAttribute('title') || e.textContent).slice(0, 80) + ']');
        resolve({count: math.length, untypeset, errors});
    };
    const wait = () => {
        if (window.MathJax && window.MathJax.Hub && window.MathJax.Hub.Register) {
            // (a hook that returns a callback would make MathJax wait for it: return nothing)
            window.MathJax.Hub.Register.StartupHook('End', () => { window.MathJax.Hub.Queue(done); });
        } else {
            setTimeout(wait, 100);
        }
    };
    setTimeout(() => resolve({count: -1, untypeset: ['(MathJax did not finish in 60 s)'], errors: []}), 60000);
    wait();
})""".replace("MATH", MATH)

JS_HEADINGS = """() => {
    const root = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
    return Array.from(root.querySelectorAll('h1, h2, h3, h4, h5, h6'))
        .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]);
}"""

JS_LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def heading_problems(headings: list[list]) -> list[str]:
    """One h1 first, and no level skipped going down (h2 -> h4)."""
    if not headings:
        return ["no heading in the page's main content"]
    problems = []
    if headings[0][0] != 1:
        problems.append(f"the first heading is h{headings[0][0]} ({headings[0][1]!r}), not h1")
    h1 = [text for level, text in headings if level == 1]
    if len(h1) > 1:
        problems.append(f"{len(h1)} h1 headings: {h1[:3]}")
    for (prev, _), (level, text) in zip(headings, headings[1:]):
        if level > prev + 1:
            problems.append(f"h{level} {text!r} follows h{prev}: a heading level is skipped")
    return problems


_ids_cache: dict[Path, set[str]] = {}


def _ids(path: Path) -> set[str]:
    if path not in _ids_cache:
        text = path.read_text(encoding="utf-8", errors="replace")
        _ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', text)) | set(re.findall(r'\bname="([^"]+)"', text))
    return _ids_cache[path]


def link_problems(links: list[str], base: str, site: Path) -> list[str]:
    """Links into the site that point at a missing file or a missing anchor."""
    problems = []
    for href in dict.fromkeys(links):
        if not href.startswith(base):
            continue
        url = urllib.parse.urlsplit(href)
        rel = urllib.parse.unquote(url.path)[len(urllib.parse.urlsplit(base).path):]
        target = site / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"broken link {href} (no file {rel or 'index.html'})")
        elif url.fragment and target.suffix == ".html" and urllib.parse.unquote(url.fragment) not in _ids(target):
            problems.append(f"broken link {href} (no anchor #{url.fragment} in {rel})")
    return problems


def check_page(browser, base: str, site: Path, rel: str, screenshot: Path | None = None) -> list[str]:
    """Open one page; return what a reader would find wrong with it (empty: nothing)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def route(r):
        host = urllib.parse.urlsplit(r.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            problems.append(f"asked the network for {r.request.url}")
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    try:
        page.goto(base + rel, wait_until="load", timeout=PAGE_TIMEOUT)
        broken = page.evaluate(JS_IMAGES)
        problems += [f"image not loaded: {src}" for src in broken]
        if page.evaluate(JS_HAS_MATH):
            page.wait_for_function("() => window.MathJax && window.MathJax.Hub", timeout=PAGE_TIMEOUT)
            math = page.evaluate(JS_MATH)
            problems += [f"formula not typeset: {t!r}" for t in math["untypeset"]]
            problems += [f"TeX error in formula: {t!r}" for t in math["errors"]]
        problems += heading_problems(page.evaluate(JS_HEADINGS))
        problems += link_problems(page.evaluate(JS_LINKS), base, site)
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
    finally:
        context.close()
    return problems


# the tests ---------------------------------------------------------------------

def test_every_page_reads_well(site, browser, served):
    """Every page: no console error or off-site request, images loaded, math typeset,
    headings in order, no broken internal link."""
    pages = pages_of(site)
    expected = {f"{folder}/{nb.stem}.html" for folder in ("chapters", "exercises")
                for nb in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")}
    assert expected and expected <= set(pages), f"pages missing from the site: {expected - set(pages)}"
    assert "index.html" in pages and "search.html" in pages
    shots = os.environ.get("GDLEARN_BOOK_SCREENSHOTS")
    shot_pages = {"index.html": "landing.png", "chapters/02_gradient_descent.html": "chapter02.png"}
    report = {}
    for rel in pages:
        shot = Path(shots) / shot_pages[rel] if shots and rel in shot_pages else None
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
        problems = check_page(browser, served, site, rel, shot)
        if problems:
            report[rel] = problems
    assert not report, "\n".join(f"{rel}:\n  " + "\n  ".join(p[:20]) for rel, p in report.items())


def test_search_finds_momentum(site, browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda r: r.continue_() if urllib.parse.urlsplit(r.request.url).hostname
                  in ("127.0.0.1", "localhost") else r.abort())
    page = context.new_page()
    try:
        page.goto(served + "search.html?q=momentum", wait_until="load", timeout=PAGE_TIMEOUT)
        page.wait_for_selector("#search-results ul.search li a", timeout=PAGE_TIMEOUT)
        page.wait_for_function("() => !document.querySelector('#search-progress')?.textContent"
                               " || /found/i.test(document.querySelector('#search-progress').textContent)"
                               " || document.querySelectorAll('#search-results ul.search li').length > 3",
                               timeout=PAGE_TIMEOUT)
        hrefs = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        if os.environ.get("GDLEARN_BOOK_SCREENSHOTS"):
            page.screenshot(path=str(Path(os.environ["GDLEARN_BOOK_SCREENSHOTS"]) / "search.png"))
    finally:
        context.close()
    assert any("chapters/05_momentum.html" in h for h in hrefs), hrefs


def test_pages_have_sidebar_launch_buttons_and_live_notes(site):
    """The sidebar lists every chapter and exercise; a notebook page launches on Binder and
    Colab (links made from pyproject.toml's address) and downloads its .ipynb; each
    explorer's picture is followed by the line saying how to make it live."""
    build = _load_build()
    address = build.course_address(ROOT)
    index = (site / "index.html").read_text(encoding="utf-8")
    for folder in ("chapters", "exercises"):
        for nb in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"):
            assert f'href="{folder}/{nb.stem}.html"' in index, f"{folder}/{nb.stem} is not in the sidebar"
    assert not (site / "solutions").exists() and "solutions/" not in "".join(pages_of(site))
    page = (site / "chapters" / "05_momentum.html").read_text(encoding="utf-8")
    o, n = address["owner"], address["name"]
    assert f"https://mybinder.org/v2/gh/{o}/{n}/" in page
    assert f"https://colab.research.google.com/github/{o}/{n}/blob/main/chapters/05_momentum.ipynb" in page
    assert 'href="../_sources/chapters/05_momentum.ipynb"' in page
    assert (site / "_sources" / "chapters" / "05_momentum.ipynb").is_file()
    assert address["repository"] in page
    notes = re.findall(r'<img[^>]*>\s*<div class="output text_html"><p class="gdlearn-live-note">', page)
    assert notes, "no explorer picture followed by the live note in chapter 05"


# the checks can fail -------------------------------------------------------------

def _plant(html: str, what: str) -> str:
    if what == "image":
        new = re.sub(r'(<img[^>]*\bsrc=")[^"]+(")', r"\1../_images/planted-missing.png\2", html, count=1)
    elif what == "math":
        new = re.sub(r'(<span class="math notranslate nohighlight">)\\\(.*?\\\)(</span>)',
                     lambda m: m.group(1) + r"\(\frac{1}{x\)" + m.group(2), html, count=1)
    elif what == "link":
        new = html.replace("</article>", '<a href="01_calculus.html#no-such-section">see</a></article>', 1)
    elif what == "heading":
        new = html.replace("</article>", "<h4>A skipped level</h4></article>", 1)
    assert new != html, f"could not plant a broken {what}"
    return new


@pytest.mark.parametrize("what, expected", [
    ("image", r"image not loaded: \.\./_images/planted-missing\.png"),
    ("math", r"TeX error in formula"),
    ("link", r"broken link .*no-such-section"),
    ("heading", r"h4 'A skipped level' follows h[123]"),
])
def test_checks_fail_on_a_broken_page(site, browser, tmp_path, what, expected):
    """A copy of the site with one broken thing planted in chapter 02: the page check names it."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy, copy_function=os.symlink, ignore=shutil.ignore_patterns(".doctrees"))
    rel = "chapters/02_gradient_descent.html"
    original = (site / rel).read_text(encoding="utf-8")
    (copy / rel).unlink()
    (copy / rel).write_text(_plant(original, what), encoding="utf-8")
    with serve(copy) as base:
        problems = check_page(browser, base, copy, rel)
    assert any(re.search(expected, p) for p in problems), problems
