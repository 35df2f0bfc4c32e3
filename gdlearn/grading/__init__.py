"""Exercises and autograding.

For students, in an exercise notebook::

    from gdlearn.grading import check
    check("ex01_2", gradient_xy)     # the visible tests, shown as a table under the cell

For teachers (see ``solutions/README.md``):

- ``solutions/NN_slug.py`` is the source of an exercise notebook: answers
  between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, the grading
  specification (:class:`Exercise`, :class:`Case`, :class:`Mistake`)
  between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
- ``python -m gdlearn.grading.release`` writes ``exercises/`` and the data
  of ``check`` (``--check`` verifies them, ``--student-copy DIR`` writes the
  course without solutions);
- ``python -m gdlearn.grade NOTEBOOK... --format json|csv|gradescope``
  grades submissions, each in its own process (as root: its own namespaces,
  root and user — see :mod:`~gdlearn.grading.isolation`);
- ``python -m gdlearn.grading.gradescope NN_slug autograder.zip`` packages
  the grader for one chapter on Gradescope.

Modules: :mod:`~gdlearn.grading.spec` (declarations), :mod:`~gdlearn.grading.values`
(plain data and comparison), :mod:`~gdlearn.grading.feedback` (``check``),
:mod:`~gdlearn.grading.course` (solution notebooks), :mod:`~gdlearn.grading.release`,
:mod:`~gdlearn.grading.sandbox` (the student's process), :mod:`~gdlearn.grading.jail` and
:mod:`~gdlearn.grading.isolation` (where it runs), :mod:`~gdlearn.grading.notebook` (bounded
reading), :mod:`~gdlearn.grading.grader`,
:mod:`~gdlearn.grading.report` (formats and command line), :mod:`~gdlearn.grading.gradescope`.
"""

from .feedback import CheckResult, check
from .spec import Case, Code, Exercise, Mistake

__all__ = ["check", "CheckResult", "Exercise", "Case", "Mistake", "Code"]
