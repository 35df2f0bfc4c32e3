"""No text hides in a code cell, and every notebook's headings come in order.

A py:percent twin makes it easy to write a heading or a paragraph as ``# ...``
comments at the end of a code cell (a missing ``# %% [markdown]`` marker).
Jupyter then shows it as a grey comment inside the code, not as a heading, and
the section vanishes from the table of contents.  These tests read the
committed ``.ipynb`` files (no execution, well under a second) for chapters/,
solutions/ and exercises/:

- no code cell holds a line ``# ## heading`` (a markdown heading behind a
  comment sign) or a bare ``#`` line (the blank line between two markdown
  paragraphs, which never occurs in the course's code comments);
- the markdown cells, parsed as CommonMark with markdown-it (the parser
  JupyterLab's renderer follows), give exactly one ``#`` title, first;
  numbered sections ``## 1.``, ``## 2.``, ... count up from 1 with no gap or
  repeat; exercise headings ``## Exercise K.M`` carry the notebook's number K
  and count M up from 1.

To fix a failure: move the text into a ``# %% [markdown]`` cell of the ``.py``
source, renumber, then ``.venv/bin/python .ci/sync_notebooks.py <file.py>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("chapters", "solutions", "exercises")
NOTEBOOKS = sorted(p for f in FOLDERS for p in (ROOT / f).glob("*.ipynb"))
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]

# "# ## Title" or "#   ### Title": a comment sign, a space, then a markdown heading.
# ("### BEGIN SOLUTION" has no space after the first '#', so it does not match.)
HEADING_IN_COMMENT = re.compile(r"^\s*#\s+#{1,6}\s+\S")
BARE_COMMENT = re.compile(r"^\s*#\s*$")
NUMBERED = re.compile(r"^(\d+)\.\s")
EXERCISE = re.compile(r"^Exercise (\d+)\.(\d+)\b")


def _headings(nb) -> list[tuple[int, str]]:
    """(level, text) of every heading the markdown cells render, in order."""
    md = MarkdownIt("commonmark")
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        tokens = md.parse(cell.source)
        for token, inline in zip(tokens, tokens[1:]):
            if token.type == "heading_open":
                found.append((int(token.tag[1]), inline.content.strip()))
    return found


def hidden_text(nb) -> list[str]:
    """Lines of code cells that are markdown written as comments."""
    bad = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if HEADING_IN_COMMENT.match(line):
                bad.append(f"cell {index}: heading in a code cell: {line.strip()!r}")
            elif BARE_COMMENT.match(line):
                bad.append(f"cell {index}: bare '#' line (a paragraph break) in a code cell")
    return bad


def heading_problems(nb, number: int) -> list[str]:
    """What is out of order in the headings of notebook NN (number = NN)."""
    headings = _headings(nb)
    problems = []
    titles = [text for level, text in headings if level == 1]
    if len(titles) != 1 or not headings or headings[0][0] != 1:
        problems.append(f"expected one '#' title, first; got {titles}")
    sections = [int(m.group(1)) for level, text in headings
                if level == 2 and (m := NUMBERED.match(text))]
    if sections != list(range(1, len(sections) + 1)):
        problems.append(f"numbered '##' sections are {sections}, not 1, 2, 3, ...")
    exercises = [(int(m.group(1)), int(m.group(2))) for level, text in headings
                 if level == 2 and (m := EXERCISE.match(text))]
    expected = [(number, k) for k in range(1, len(exercises) + 1)]
    if exercises != expected:
        problems.append(f"exercise headings are {exercises}, expected {expected}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_text_hidden_in_code_cells(path):
    """A heading or paragraph lives in a markdown cell, never as comments in code."""
    bad = hidden_text(nbformat.read(path, as_version=4))
    assert not bad, f"{path.name}: move this text into a '# %% [markdown]' cell:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_headings_in_order(path):
    """One title; '## 1.', '## 2.', ... with no skipped or repeated number."""
    problems = heading_problems(nbformat.read(path, as_version=4), int(path.name[:2]))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_the_checks_can_fail():
    """The checks catch what they claim to catch (and pass a clean notebook)."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    clean = _nb(md("# Chapter 04\n\n## What you will learn"), md("## 1. One"),
                code("x = 1  # a comment\n### BEGIN SOLUTION\ny = 2"), md("## 2. Two\n\n## Summary"))
    assert hidden_text(clean) == [] and heading_problems(clean, 4) == []

    hidden = _nb(md("# T"), code("x = 1\n#\n# ## 8. Your turn\n#\n# Move the slider."))
    assert len(hidden_text(hidden)) == 3

    skipped = _nb(md("# T\n\n## 1. A"), md("## 3. C"))
    repeated = _nb(md("# T\n\n## 1. A\n\n## 2. B"), md("## 2. B again"))
    fenced = _nb(md("# T\n\n```\n## 1. not a heading\n```\n## 2. B"))   # a fence is not a heading
    two_titles = _nb(md("# T"), md("## 1. A\n\n# Another title"))
    wrong_exercise = _nb(md("# Exercises 02\n\n## Exercise 2.1 — a"), md("## Exercise 3.2 — b"))
    for nb in (skipped, repeated, fenced, two_titles):
        assert heading_problems(nb, 1), nb
    assert heading_problems(wrong_exercise, 2)


# -- a chapter and its companion ("details") notebook point at each other, and no
# reference to an appendix or a companion section dangles after material moves.

APPENDIX_REF = re.compile(r"\b[Aa]ppendix(?:es)? ([A-Z])\b")
CHAPTER_REF = re.compile(r"\b[Cc]hapters? (\d\d)\b")
APPENDIX_HEADING = re.compile(r"^Appendix ([A-Z])\b")
LETTERED_HEADING = re.compile(r"^([A-Z])\.\s")


def _markdown(nb) -> str:
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def _targets(nb) -> set[str]:
    """The letters of a notebook's 'Appendix X' and 'X.' headings."""
    letters = set()
    for level, text in _headings(nb):
        m = APPENDIX_HEADING.match(text) or LETTERED_HEADING.match(text)
        if level == 2 and m:
            letters.add(m.group(1))
    return letters


def dangling_appendix_refs(nb, own: set[str], others: dict[str, set[str]]) -> list[str]:
    """'appendix X' in the markdown with no heading X where it points.

    A reference points into this notebook (and its companion: ``own``) unless a
    'chapter NN' stands earlier in the same sentence; then into chapter NN's
    notebooks (``others[NN]``).
    """
    bad = []
    text = _markdown(nb)
    for m in APPENDIX_REF.finditer(text):
        sentence = re.split(r"[.!?]\s", text[max(0, m.start() - 120):m.start()])[-1]
        chapter = CHAPTER_REF.findall(sentence)
        targets = others.get(chapter[-1], set()) if chapter else own
        if m.group(1) not in targets:
            where = f"chapter {chapter[-1]}" if chapter else "this chapter or its details notebook"
            bad.append(f"'{m.group(0)}' points to no appendix or section {m.group(1)} of {where}")
    return bad


CHAPTER_NOTEBOOKS = sorted(p for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")
                           if not p.stem.endswith("_details"))


def _letters_by_chapter() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"):
        found.setdefault(p.name[:2], set()).update(_targets(nbformat.read(p, as_version=4)))
    return found


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=[p.name for p in CHAPTER_NOTEBOOKS])
def test_appendix_references_resolve(path):
    """Every 'appendix X' names a heading that exists (here, in the companion, or in the chapter named)."""
    letters = _letters_by_chapter()
    nbs = [path] + ([companion] if (companion := path.with_name(path.stem + "_details.ipynb")).exists() else [])
    bad = [f"{p.name}: {b}" for p in nbs
           for b in dangling_appendix_refs(nbformat.read(p, as_version=4), letters[path.name[:2]], letters)]
    assert not bad, "\n".join(bad)


COMPANIONS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*_details.ipynb"))


@pytest.mark.parametrize("path", COMPANIONS, ids=[p.name for p in COMPANIONS])
def test_a_details_notebook_and_its_chapter_link_each_other(path):
    """chapters/NN_slug_details.ipynb: its chapter exists, each links to the other, sections lettered A, B, ..."""
    chapter = path.with_name(path.name.replace("_details.ipynb", ".ipynb"))
    assert chapter.exists(), f"{path.name}: no chapter {chapter.name}"
    details = nbformat.read(path, as_version=4)
    assert f"]({chapter.name}" in _markdown(details), f"{path.name} does not link back to {chapter.name}"
    assert f"]({path.name}" in _markdown(nbformat.read(chapter, as_version=4)), \
        f"{chapter.name} does not link to {path.name}"
    letters = [m.group(1) for level, text in _headings(details)
               if level == 2 and (m := LETTERED_HEADING.match(text))]
    assert letters and letters == [chr(ord("A") + k) for k in range(len(letters))], \
        f"{path.name}: lettered '##' sections are {letters}, not A, B, C, ..."


def test_the_reference_checks_can_fail():
    md = nbformat.v4.new_markdown_cell
    nb = _nb(md("# T\n\nSee appendix B. In chapter 05, appendix C says so."), md("## Appendix A. x"))
    assert _targets(nb) == {"A"}
    bad = dangling_appendix_refs(nb, {"A"}, {"05": {"A", "B"}})
    assert len(bad) == 2 and "chapter 05" in bad[1]
    assert dangling_appendix_refs(nb, {"A", "B"}, {"05": {"C"}}) == []
