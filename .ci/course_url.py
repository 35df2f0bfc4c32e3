#!/usr/bin/env python3
"""The course's public address: one place, every link made from it.

    python .ci/course_url.py                       # check: exit 1 on a stray copy
    python .ci/course_url.py --set https://github.com/OWNER/NAME
                                                   # re-point the whole course
    python .ci/course_url.py --nbgitpuller https://hub.example.edu
                                                   # a JupyterHub link for teachers

The address lives in ``pyproject.toml`` (``[project.urls] Repository``).  The
files that need it literally (a notebook's Colab install cell runs before
anything is installed; README badges are static Markdown) hold copies in the
forms below, and this script writes and checks them all:

* ``git+https://github.com/OWNER/NAME`` (the Colab cell's pip install),
* ``https://mybinder.org/v2/gh/OWNER/NAME/HEAD`` (Binder),
* ``https://colab.research.google.com/github/OWNER/NAME/blob/BRANCH/`` (Colab),
* ``repo=https%3A%2F%2Fgithub.com%2FOWNER%2FNAME`` (nbgitpuller),
* ``https://OWNER.github.io/NAME`` (the course website),
* any ``https://github.com/OWNER/NAME`` whose NAME is the project's name.

A copy in one of these forms that points elsewhere is a stray copy: the check
names its file and line.  Links to other projects (``github.com/d2l-ai/d2l-en``)
are not in these forms and are left alone.  Only the standard library.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".html", ".json", ""}
_SLUG = r"[A-Za-z0-9_.\-]+"


def project_name(root: Path = ROOT) -> str:
    return re.search(r'(?m)^name\s*=\s*"([^"]+)"', (root / "pyproject.toml").read_text(encoding="utf-8")).group(1)


def repository(root: Path = ROOT) -> str:
    """The course's repository URL, from pyproject.toml's [project.urls]."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)["project"]["urls"]["Repository"]
    return re.search(r'(?m)^Repository\s*=\s*"([^"]+)"', text).group(1)


def owner_name(url: str) -> tuple[str, str]:
    m = re.fullmatch(rf"https://github\.com/({_SLUG})/({_SLUG}?)(?:\.git)?/?", url)
    if not m:
        raise ValueError(f"repository URL must be https://github.com/OWNER/NAME, got {url!r}")
    return m.group(1), m.group(2)


def _patterns(*names: str) -> list[tuple[re.Pattern, str]]:
    """(regex with groups owner, name; replacement template) for each form of the address.

    `names`: the repository names a bare ``https://github.com/OWNER/NAME`` link
    is recognised by (the project's name and the repository's).
    """
    s = _SLUG
    name = "|".join(re.escape(n) for n in dict.fromkeys(names))
    return [
        (re.compile(rf"git\+https://github\.com/({s}?)/({s}?)(?=[\"'\s@#\\]|\.git|$)"), "git+https://github.com/{o}/{n}"),
        (re.compile(rf"https://mybinder\.org/v2/gh/({s}?)/({s}?)/HEAD"), "https://mybinder.org/v2/gh/{o}/{n}/HEAD"),
        (re.compile(rf"https://colab\.research\.google\.com/github/({s}?)/({s}?)/blob/{BRANCH}/"),
         "https://colab.research.google.com/github/{o}/{n}/blob/" + BRANCH + "/"),
        (re.compile(rf"repo=https%3A%2F%2Fgithub\.com%2F({s}?)%2F({s}?)(?=[&\s\"')\\]|$)"),
         "repo=https%3A%2F%2Fgithub.com%2F{o}%2F{n}"),
        (re.compile(rf"https://({s}?)\.github\.io/({s}?)(?=[/\s\"')\\]|$)"), "https://{o}.github.io/{n}"),
        (re.compile(rf"(?<!\+)https://github\.com/({s}?)/({name})(?=[/\s\"'#)\\]|\.git|$)"),
         "https://github.com/{o}/{n}"),
    ]


def course_files(root: Path = ROOT) -> list[Path]:
    """Text files git would commit (tracked, and untracked but not ignored)."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    files = []
    for rel in filter(None, out.split("\0")):
        path = root / rel
        if path.is_file() and path.suffix in TEXT_SUFFIXES and rel not in ("pyproject.toml", ".ci/course_url.py"):
            files.append(path)
    return files


def stray_copies(root: Path = ROOT) -> list[str]:
    """'file:line: found ... (expected owner/name)' for every copy that points elsewhere."""
    owner, name = owner_name(repository(root))
    problems = []
    for path in course_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for pattern, _ in _patterns(project_name(root), name):
            for m in pattern.finditer(text):
                o, n = m.group(1), m.group(2)
                if pattern.pattern.startswith("https://(") and o.lower() == owner.lower():
                    o = owner  # GitHub Pages host names are lower case
                if (o, n) != (owner, name):
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{path.relative_to(root)}:{line}: {m.group(0)} (expected {owner}/{name})")
    return problems


def set_repository(url: str, root: Path = ROOT) -> list[Path]:
    """Point pyproject.toml and every copy at `url`; return the files changed."""
    owner, name = owner_name(url)
    _, old_name = owner_name(repository(root))
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    new = re.sub(r'(?m)^(Repository\s*=\s*)"[^"]*"', rf'\g<1>"{url}"', text)
    new = re.sub(r'(?m)^(Homepage\s*=\s*)"[^"]*"', rf'\g<1>"https://{owner.lower()}.github.io/{name}/"', new)
    changed = []
    if new != text:
        pyproject.write_text(new, encoding="utf-8")
        changed.append(pyproject)
    for path in course_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = text
        for pattern, template in _patterns(project_name(root), old_name, name):
            o = owner.lower() if template.startswith("https://{o}.github.io") else owner
            new = pattern.sub(template.format(o=o, n=name), new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def nbgitpuller_link(hub: str, root: Path = ROOT, notebook: str = "chapters/00_welcome.ipynb") -> str:
    """A link that clones (or updates) the course into a student's JupyterHub home and opens `notebook`."""
    repo = repository(root)
    _, name = owner_name(repo)
    query = urllib.parse.urlencode({"repo": repo, "urlpath": f"lab/tree/{name}/{notebook}", "branch": BRANCH},
                                   safe="")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", metavar="URL", help="re-point the course at https://github.com/OWNER/NAME")
    parser.add_argument("--nbgitpuller", metavar="HUB", help="print the nbgitpuller link for a JupyterHub")
    args = parser.parse_args(argv)
    if args.nbgitpuller:
        print(nbgitpuller_link(args.nbgitpuller))
        return 0
    if args.set:
        changed = set_repository(args.set)
        print(f"re-pointed {len(changed)} files at {args.set}")
        for path in changed:
            print(f"  {path.relative_to(ROOT)}")
        print("now regenerate nothing else: the .ipynb twins were rewritten with their .py")
    problems = stray_copies()
    if problems:
        print(f"{len(problems)} copies of the course address differ from pyproject.toml's "
              f"{repository()} (fix: python .ci/course_url.py --set {repository()}):")
        print("\n".join(problems))
        return 1
    if not args.set:
        print(f"every link points at {repository()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
