#!/usr/bin/env python3
"""Build the course as a static website (``make book``).

    python book/build.py [--out _build] [--jobs 2]

Reads the course as it is in the work tree and writes, under ``--out``
(``_build/``, git-ignored):

* ``src/``: a Jupyter Book 1 project made from the course: a landing page from
  README.md, ``chapters/*.ipynb`` and ``exercises/*.ipynb`` (the students'
  copy: never ``solutions/``, whose hidden tests stay out of the site), with
  their outputs, a ``_toc.yml`` (the sidebar) and a ``_config.yml``;
* ``cache/``: every notebook executed once with ``GDLEARN_STATIC=1`` (static
  PNG figures), kept under a hash of the notebook and of the ``gdlearn``
  library, so a rebuild executes only what changed;
* ``html/``: the site (Sphinx, sphinx-book-theme, myst-nb), with a sidebar of
  chapters, full-text search (``search.html``), MathJax served from the
  site itself (the files of the ``jupyter-server-mathjax`` package: no CDN), and on every
  notebook page buttons to launch it on Binder or Colab and to download its
  ``.ipynb``.

Every launch and repository link is made from the course's one public
address, pyproject.toml's ``[project.urls]`` (read with ``.ci/course_url.py``).

Each explorer (an ipywidget) is shown as the static picture it draws under
``GDLEARN_STATIC=1``, with a line under it saying how to make it live; its
widget output and the notebook's saved widget state are dropped (a static page
cannot run them, and rendering them would fetch a widget manager from a CDN).

Why Jupyter Book 1 and not 2 (``mystmd``): Jupyter Book 2 downloads its site
theme from the internet at build time unless given a local template;
Jupyter Book 1 is Sphinx plus Python packages and builds with nothing but
what pip installed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
FOLDERS = ("chapters", "exercises")  # what the site shows, in sidebar order
CELL_TIMEOUT = 600  # seconds per cell
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# MathJax 2 as jupyter-server-mathjax ships it: HTML-CSS output with the STIX-Web
# fonts only (the package has no other web fonts: asking for TeX's would 404).
MATHJAX_PATH = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
MATHJAX2_CONFIG = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processRefs": False,
        "processEnvironments": False,
    },
    # a TeX error shows as a red error box (class merror), not as the raw TeX
    "TeX": {"noErrors": {"disabled": True}, "equationNumbers": {"autoNumber": "none"}},
    "HTML-CSS": {
        "availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None,
        # MathJax 2 declares a fallback font at url('about:blank'), which Chromium refuses with
        # a console error on every page: the same never-loading fallback, without a request
        "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax_Blank')"}},
    },
    # The hidden MathML copy that AssistiveMML adds for screen readers is styled with
    # MathJax's TeX fonts, which the package does not ship: each page with \mathbb or
    # \mathcal would 404 on them.  Off (the cost: no MathML copy for screen readers).
    "AssistiveMML": {"disabled": True},
    "messageStyle": "none",
    "menuSettings": {"zoom": "None"},
    "showMathMenu": False,
}


# ----------------------------------------------------------------- the address
def _course_url_module():
    spec = importlib.util.spec_from_file_location("course_url", ROOT / ".ci" / "course_url.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def course_address(root: Path = ROOT) -> dict[str, str]:
    """The repository, its owner/name and the website, from pyproject.toml."""
    course_url = _course_url_module()
    repository = course_url.repository(root)
    owner, name = course_url.owner_name(repository)
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'(?m)^Homepage\s*=\s*"([^"]+)"', text)
    homepage = m.group(1) if m else f"https://{owner.lower()}.github.io/{name}/"
    return {"repository": repository, "owner": owner, "name": name, "homepage": homepage}


def launch_links(address: dict[str, str], path: str) -> dict[str, str]:
    """Binder, Colab and source links for a notebook at `path` (relative to the repository)."""
    o, n = address["owner"], address["name"]
    return {
        "binder": f"https://mybinder.org/v2/gh/{o}/{n}/HEAD?urlpath=lab/tree/{path}",
        "colab": f"https://colab.research.google.com/github/{o}/{n}/blob/{BRANCH}/{path}",
        "source": f"{address['repository']}/blob/{BRANCH}/{path}",
    }


# ------------------------------------------------------------------ execution
def library_digest(root: Path = ROOT) -> str:
    """A hash of the gdlearn package: a library change re-executes every notebook."""
    h = hashlib.sha256()
    for path in sorted((root / "gdlearn").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _execute(src: str, dst: str) -> tuple[str, float]:
    """Execute notebook `src` (cwd: its folder) and write it to `dst`; runs in a worker process."""
    import nbformat
    from nbclient import NotebookClient

    start = time.perf_counter()
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(src).parent)}})
    client.execute()
    tmp = Path(dst).with_suffix(".tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(dst)
    return src, time.perf_counter() - start


def execute_all(notebooks: list[Path], cache: Path, jobs: int, root: Path = ROOT) -> dict[Path, Path]:
    """{notebook: its executed copy in `cache`}; executes only those not cached yet."""
    cache.mkdir(parents=True, exist_ok=True)
    lib = library_digest(root)
    executed, todo = {}, []
    for nb in notebooks:
        key = hashlib.sha256(nb.read_bytes() + lib.encode() + b"GDLEARN_STATIC=1").hexdigest()[:16]
        out = cache / f"{nb.parent.name}-{nb.stem}-{key}.ipynb"
        executed[nb] = out
        if not out.exists():
            todo.append((nb, out))
    if todo:
        print(f"executing {len(todo)} notebooks ({len(notebooks) - len(todo)} cached), {jobs} at a time")
        os.environ["GDLEARN_STATIC"] = "1"  # inherited by the kernels: static figures
        os.environ.pop("MPLBACKEND", None)
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_execute, str(nb), str(out)): nb for nb, out in todo}
            for future in concurrent.futures.as_completed(futures):
                nb = futures[future]
                try:
                    _, seconds = future.result()
                except Exception as exc:  # a failing notebook fails the build, named
                    for f in futures:
                        f.cancel()
                    raise SystemExit(f"book: executing {nb.relative_to(root)} failed:\n{exc}") from None
                print(f"  {nb.relative_to(root)}: {seconds:.1f} s")
    else:
        print(f"all {len(notebooks)} notebooks cached in {cache}")
    for old in cache.glob("*.ipynb"):  # drop stale executions
        if old not in executed.values():
            old.unlink()
    return executed


# --------------------------------------------------------- making the pages
# matplotlib's to_jshtml() animations link Font Awesome 4 from a CDN for their buttons;
# the theme's own Font Awesome (6, bundled) draws the same fa-* icons
_CDN_STYLESHEET = re.compile(r'<link[^>]*rel="stylesheet"[^>]*href="https?://[^"]*"[^>]*>\n?')
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
_BADGE = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]+)\)")


def fix_links(markdown: str, page: str, pages: set[str], address: dict[str, str]) -> str:
    """Relative links to files that are not pages of the site point at the repository.

    `page`: the page's path in the repository (``chapters/05_momentum.ipynb``);
    `pages`: every page's path.  Links between pages stay relative (Sphinx
    resolves them); a link to ``solutions/README.md`` or ``benchmarks/`` becomes
    a link to the file in the repository.
    """
    def repl(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", target) or target.startswith(("#", "/")):
            return m.group(0)
        path, _, fragment = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(page), path)).replace(os.sep, "/")
        if resolved in pages or not (ROOT / resolved).exists():
            return m.group(0)
        url = f"{address['repository']}/blob/{BRANCH}/{resolved}" + (f"#{fragment}" if fragment else "")
        return f"{m.group(1)}{url}{m.group(3)}"

    return _LINK.sub(repl, markdown)


def landing_page(readme: str, pages: set[str], address: dict[str, str]) -> str:
    """README.md as the site's first page: badges become plain links (no off-site images)."""
    text = _BADGE.sub(lambda m: f"[{m.group(1) or 'launch'}]({m.group(2)})", readme)
    return fix_links(text, "README.md", pages, address)


def live_note(links: dict[str, str]) -> dict:
    """The display_data output put under an explorer's picture."""
    html = (
        '<p class="gdlearn-live-note"><strong>This is a still picture of an interactive explorer.</strong> '
        "To move its sliders, run this notebook: "
        f'<a href="{links["binder"]}">launch it on Binder</a>, '
        f'<a href="{links["colab"]}">open it in Colab</a>, '
        "or open it in JupyterLab on your machine (<code>make lab</code>).</p>"
    )
    text = ("[A still picture of an interactive explorer: run this notebook in JupyterLab, "
            "on Binder or in Colab to move its sliders.]")
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": html, "text/plain": text}}


def prepare_notebook(nb: dict, path: str, pages: set[str], address: dict[str, str]) -> tuple[dict, int]:
    """The page made from an executed notebook; returns it and its number of explorers."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    links = launch_links(address, path)
    explorers = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = fix_links(source, path, pages, address)
        if cell["cell_type"] != "code":
            continue
        outputs, pending = [], False
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                html = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
                data["text/html"] = _CDN_STYLESHEET.sub("", html)
            if WIDGET_VIEW in data:
                explorers += 1
                pending = True
                continue
            outputs.append(out)
            if pending and "image/png" in data:
                outputs.append(live_note(links))
                pending = False
        if pending:
            outputs.append(live_note(links))
        cell["outputs"] = outputs
    return nb, explorers


def write_if_changed(path: Path, text: str) -> None:
    """Write only a changed file, so that Sphinx rebuilds only the changed pages."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _title(root: Path = ROOT) -> str:
    first = (root / "README.md").read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


def book_config(address: dict[str, str], root: Path = ROOT) -> dict:
    """Jupyter Book's _config.yml (written as JSON, which YAML reads)."""
    return {
        "title": _title(root),
        "author": "the gdlearn authors",
        "copyright": "",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},  # executed above, with its own cache
        "parse": {"myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence"]},
        "repository": {"url": address["repository"], "branch": BRANCH, "path_to_book": ""},
        "launch_buttons": {
            "notebook_interface": "jupyterlab",
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
        },
        "html": {
            "use_repository_button": True,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_download_button": True,
            "home_page_in_navbar": True,
            "baseurl": address["homepage"],
            "favicon": "favicon.svg",  # without one the browser asks for /favicon.ico: a 404
        },
        "sphinx": {
            "config": {
                "mathjax_path": MATHJAX_PATH,
                "mathjax2_config": MATHJAX2_CONFIG,
                "mathjax3_config": None,
                "myst_update_mathjax": False,
                "nb_ipywidgets_js": {},  # no widget manager from a CDN: explorers are pictures here
                "html_css_files": ["gdlearn.css"],
                "html_show_sphinx": False,
                "html_last_updated_fmt": None,
            },
        },
    }


def toc(pages: dict[str, list[str]]) -> dict:
    """_toc.yml: the landing page, then one sidebar part per folder."""
    captions = {"chapters": "Chapters", "exercises": "Exercises (the students' copy)"}
    return {
        "format": "jb-book",
        "root": "index",
        "parts": [{"caption": captions.get(folder, folder), "chapters": [{"file": p} for p in files]}
                  for folder, files in pages.items() if files],
    }


# Appended to the conf.py that `jupyter-book config sphinx` writes.
CONF_EXTRA = """
# ---- book/build.py
# MathJax's files go to _static/mathjax/ without a <script> tag each (see stage())
html_static_path = [*html_static_path, "_mathjax"]
# pydata-sphinx-theme logs a console error when no default colour mode is set
html_context = {**globals().get("html_context", {}), "default_mode": "light"}
# Thebe (live code on the page) is not used, and sphinx-thebe declares its `const`
# twice in each page here (a console error): launch buttons go to Binder and Colab.
extensions = [e for e in extensions if e != "sphinx_thebe"]
"""

CSS = """\
/* gdlearn: the line under an explorer's still picture */
.gdlearn-live-note { border-left: 4px solid #0072B2; padding: .4em .8em; background: #f3f8fc; }
"""


def stage(src: Path, cache: Path, jobs: int, root: Path = ROOT) -> dict:
    """Make the Jupyter Book project in `src`; returns a summary."""
    address = course_address(root)
    notebooks = {folder: sorted((root / folder).glob("[0-9][0-9]_*.ipynb")) for folder in FOLDERS}
    all_nbs = [nb for nbs in notebooks.values() for nb in nbs]
    pages = {str(nb.relative_to(root)) for nb in all_nbs}
    executed = execute_all(all_nbs, cache, jobs, root)
    import nbformat

    explorers = {}
    wanted = {src / "index.md", src / "_config.yml", src / "_toc.yml", src / "conf.py",
              src / "_static" / "gdlearn.css", src / "favicon.svg"}
    for nb_path in all_nbs:
        rel = str(nb_path.relative_to(root))
        nb = json.loads(executed[nb_path].read_text(encoding="utf-8"))
        page, explorers[rel] = prepare_notebook(nb, rel, pages, address)
        out = src / rel
        write_if_changed(out, nbformat.writes(nbformat.from_dict(page)) + "\n")
        wanted.add(out)
    write_if_changed(src / "index.md", landing_page((root / "README.md").read_text(encoding="utf-8"),
                                                     pages, address))
    write_if_changed(src / "_config.yml", json.dumps(book_config(address, root), indent=2) + "\n")
    toc_pages = {folder: [str(nb.relative_to(root).with_suffix("")) for nb in nbs]
                 for folder, nbs in notebooks.items()}
    write_if_changed(src / "_toc.yml", json.dumps(toc(toc_pages), indent=2) + "\n")
    write_if_changed(src / "_static" / "gdlearn.css", CSS)
    write_if_changed(src / "favicon.svg", (root / "book" / "favicon.svg").read_text(encoding="utf-8"))
    # MathJax from an installed package, copied into the site's static files
    import jupyter_server_mathjax

    # (in _mathjax/, not _static/: Jupyter Book adds a <script> for every .js file in _static)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (src / "_mathjax" / "mathjax" / "MathJax.js").exists():
        shutil.copytree(mathjax, src / "_mathjax" / "mathjax", dirs_exist_ok=True)
    for folder in FOLDERS:  # a notebook deleted from the course leaves the site
        for old in (src / folder).glob("*.ipynb") if (src / folder).exists() else []:
            if old not in wanted:
                old.unlink()
    return {"address": address, "pages": sorted(pages), "explorers": explorers}


def build(out: Path, jobs: int = 2, root: Path = ROOT, strict: bool = True) -> dict:
    """Stage, configure and run Sphinx; returns the summary (with the site's folder)."""
    start = time.perf_counter()
    src = out / "src"
    summary = stage(src, out / "cache", jobs, root)
    jb = Path(sys.executable).with_name("jupyter-book")
    conf = subprocess.run([str(jb), "config", "sphinx", str(src)], capture_output=True, text=True)
    if conf.returncode:
        raise SystemExit(f"book: jupyter-book config sphinx failed:\n{conf.stdout}\n{conf.stderr}")
    with open(src / "conf.py", "a", encoding="utf-8") as f:
        f.write(CONF_EXTRA)
    html = out / "html"
    # serial: jupyter-book's sphinx_multitoc_numbering makes `-j` warn (and -W fail)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(out / "doctrees"), "-q", str(src), str(html)]
    warnings = out / "sphinx-warnings.txt"
    cmd += ["-w", str(warnings)]
    if strict:
        cmd += ["-W", "--keep-going"]
    result = subprocess.run(cmd, cwd=src)
    if result.returncode:
        raise SystemExit(f"book: Sphinx failed (warnings are errors), see {warnings}:\n"
                         + warnings.read_text(encoding="utf-8"))
    # "Download .ipynb" gives the course's own notebook (no outputs, as on Binder and
    # Colab), not the executed copy the page was made from (its pictures weigh MBs)
    for rel in summary["pages"]:
        shutil.copyfile(root / rel, html / "_sources" / rel)
    summary["html"] = html
    summary["seconds"] = time.perf_counter() - start
    return summary


def site_size(html: Path) -> tuple[int, int]:
    files = [p for p in html.rglob("*") if p.is_file() and ".doctrees" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build", help="build folder (default: _build/)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("--no-strict", action="store_true", help="do not fail on Sphinx warnings")
    args = parser.parse_args(argv)
    summary = build(args.out.resolve(), args.jobs, strict=not args.no_strict)
    n, size = site_size(summary["html"])
    print(f"book: {len(summary['pages']) + 1} pages, {sum(summary['explorers'].values())} explorers as pictures; "
          f"{n} files, {size / 1e6:.1f} MB in {summary['html']} ({summary['seconds']:.0f} s)")
    print(f"book: open {summary['html'] / 'index.html'}; published at {summary['address']['homepage']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
