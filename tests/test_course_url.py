"""One public address: every Binder, Colab, install and JupyterHub link comes from pyproject.toml.

The course is published under one repository address, written once in
pyproject.toml (`[project.urls] Repository`).  .ci/course_url.py writes its
copies (a notebook's Colab install cell cannot read pyproject.toml: it runs
before anything is installed) and checks them.  These tests fail on a stray
copy, and re-point a copy of the course to show that one command moves it all.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("ci_course_url", ROOT / ".ci" / "course_url.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course_url = _load()


def _copy_course(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    return dest


def _copies(root: Path, owner: str, name: str) -> int:
    """How many links in the course's forms point at owner/name (an independent count: plain substrings)."""
    forms = [f"git+https://github.com/{owner}/{name}", f"mybinder.org/v2/gh/{owner}/{name}/HEAD",
             f"colab.research.google.com/github/{owner}/{name}/blob/main/",
             f"repo=https%3A%2F%2Fgithub.com%2F{owner}%2F{name}"]
    total = 0
    for path in course_url.course_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        total += sum(text.count(form) for form in forms)
    return total


def test_the_address_is_in_pyproject():
    assert course_url.repository() == "https://github.com/gdlearn/gdlearn" or re.fullmatch(
        r"https://github\.com/[\w.\-]+/[\w.\-]+", course_url.repository())


def test_no_stray_copy():
    problems = course_url.stray_copies()
    assert not problems, "\n".join(problems)


def test_every_notebook_installs_from_the_address():
    """Each chapter, exercise and solution's Colab cell installs the course from the configured address."""
    owner, name = course_url.owner_name(course_url.repository())
    for folder in ("chapters", "exercises", "solutions"):
        for py in sorted((ROOT / folder).glob("*.py")):
            text = py.read_text(encoding="utf-8")
            assert f"git+https://github.com/{owner}/{name}" in text, py


def test_check_finds_a_planted_stray_copy(tmp_path):
    root = _copy_course(tmp_path / "course")
    chapter = root / "chapters" / "02_gradient_descent.py"
    text = chapter.read_text(encoding="utf-8")
    owner, name = course_url.owner_name(course_url.repository())
    chapter.write_text(text.replace(f"git+https://github.com/{owner}/{name}", "git+https://" + "github.com/someone/fork"),
                       encoding="utf-8")
    problems = course_url.stray_copies(root)
    assert len(problems) == 1 and problems[0].startswith("chapters/02_gradient_descent.py:"), problems
    assert "someone/fork" in problems[0]


def test_one_command_repoints_the_whole_course(tmp_path):
    root = _copy_course(tmp_path / "course")
    owner, name = course_url.owner_name(course_url.repository())
    before = _copies(root, owner, name)
    assert before >= 3 * 10 + 11, before  # every notebook's install cell and the README's links
    proc = subprocess.run([sys.executable, ".ci/course_url.py", "--set", "https://github.com/Some-Teacher/gd-course"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _copies(root, owner, name) == 0
    assert _copies(root, "Some-Teacher", "gd-course") == before
    assert course_url.repository(root) == "https://github.com/Some-Teacher/gd-course"
    assert course_url.stray_copies(root) == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/v2/gh/" + "Some-Teacher/gd-course/HEAD" in readme
    # the notebooks' twins were rewritten together: still identical pairs
    sync = subprocess.run([sys.executable, ".ci/sync_notebooks.py", "--check"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert sync.returncode == 0, sync.stdout + sync.stderr


def test_nbgitpuller_link_opens_chapter_00():
    link = course_url.nbgitpuller_link("https://hub.example.edu/")
    parts = urllib.parse.urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query["repo"] == course_url.repository()
    assert query["branch"] == "main"
    _, name = course_url.owner_name(course_url.repository())
    # nbgitpuller clones into a folder named like the repository
    prefix = f"lab/tree/{name}/"
    assert query["urlpath"].startswith(prefix)
    assert (ROOT / query["urlpath"][len(prefix):]).is_file()


def test_readme_gives_the_nbgitpuller_link():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = course_url.nbgitpuller_link("https://YOUR-HUB")
    assert expected in readme, "README.md: give teachers the nbgitpuller link (python .ci/course_url.py --nbgitpuller)"


@pytest.mark.parametrize("bad", ["gdlearn/gdlearn", "https://gitlab.com/a/b", "https://github.com/a"])
def test_bad_address_is_refused(bad):
    with pytest.raises(ValueError, match="OWNER/NAME"):
        course_url.owner_name(bad)
