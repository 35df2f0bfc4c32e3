"""How a teacher declares an exercise: :class:`Exercise`, :class:`Case`, :class:`Mistake`.

A declaration sits in the solution notebook (``solutions/NN_slug.py``), in a
code cell wrapped in ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``,
so that none of it reaches the students. For an exercise "write
``square(x)``" of chapter 00::

    ### BEGIN HIDDEN TESTS
    from gdlearn.grading import Case, Code, Exercise, Mistake

    Exercise(
        "ex00_1", function="square", points=2, title="Exercise 0.1 — squares",
        visible=[Case(3.0), Case(np.array([1.0, -2.0]))],     # published, for check()
        hidden=[Case(-0.5), Case(np.arange(4.0))],            # grader only
        mistakes=[Mistake("x ** 2, not 2 * x", lambda x: 2 * x)],
    )
    ### END HIDDEN TESTS

The release step (``python -m gdlearn.grading.release``) runs the solution,
computes the reference's outputs on the *visible* cases and the mistakes'
outputs, and writes them to ``gdlearn/grading/checks/NN_slug.json`` for
:func:`gdlearn.grading.check`. The grader recomputes everything, hidden
cases included, from the solution notebook itself.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .values import Code

__all__ = ["Exercise", "Case", "Mistake", "Code", "collecting"]

_ID = re.compile(r"^ex(\d\d)_(\d+)$")
_collector: list | None = None


class Case:
    """One probe: the arguments the exercise's function is called with.

    ``Case(*args, **kwargs)``: numbers, lists, numpy arrays and
    :class:`Code` callables. Two keyword-only settings:

    - ``_label``: how ``check`` shows the input (default: ``name = value`` for
      each argument, named after the reference function's parameters);
    - ``_weight``: this case's share of the exercise's points (default 1).

    Examples
    --------
    >>> c = Case(Code("lambda x: x @ x"), [1.0, 2.0], h=1e-4)
    >>> c.args, c.kwargs
    ((lambda x: x @ x, [1.0, 2.0]), {'h': 0.0001})
    """

    def __init__(self, *args: Any, _label: str | None = None, _weight: float = 1.0, **kwargs: Any):
        if not (isinstance(_weight, (int, float)) and _weight > 0):
            raise ValueError(f"_weight must be a number > 0, got {_weight!r}")
        self.args, self.kwargs, self.label, self.weight = args, kwargs, _label, float(_weight)

    def __repr__(self) -> str:
        inner = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Case({', '.join(inner)})"


@dataclass
class Mistake:
    """A classic wrong answer and the hint a student who makes it should read.

    ``variant`` is a function with the exercise's signature that makes the
    mistake. Wherever a student's output matches the variant's (and not the
    reference's), ``check`` and the grader show ``hint``.
    """

    hint: str
    variant: Callable
    name: str = ""

    def __post_init__(self):
        if not isinstance(self.hint, str) or not self.hint.strip():
            raise ValueError("Mistake.hint must be a non-empty string")
        if not callable(self.variant):
            raise TypeError(f"Mistake.variant must be callable, got {type(self.variant).__name__}")


@dataclass(repr=False)
class Exercise:
    """An exercise: the function students write, its points, its probe cases.

    Parameters
    ----------
    id : str
        ``"exNN_k"``: chapter ``NN``, exercise ``k`` (what ``check`` is given).
    function : str
        The name of the function the student defines; in the solution
        notebook the function of that name is the reference.
    points : float
        The exercise's worth, shared among all cases by weight (partial credit).
    title : str
        Shown by ``check`` and in grade reports.
    visible, hidden : list of Case
        Visible cases are published (inputs, expected outputs) for ``check``;
        hidden cases are used only by the grader.
    mistakes : list of Mistake
    hint : str
        A general hint shown when a case fails and no mistake matches.
    rtol, atol : float
        Tolerances of the comparison, ``|got - expected| <= atol + rtol*|expected|``.
        A float32 result gets at least ``rtol=1e-5, atol=1e-6`` (see
        :func:`gdlearn.grading.values.compare`).
    keep_inputs : bool
        True (the default): a call that changes its arguments (an array modified
        in place) fails its case, in ``check`` and in the grader. The reference
        must not change them either.
    forbidden : list of str
        Dotted names of library functions the exercise forbids, e.g.
        ``["gdlearn.second_order.bfgs_update"]``, or another library's such as
        ``"torch.autograd.grad"`` (ignored where that library is not installed):
        while the student's function runs (in ``check`` and in the grader),
        they raise. Say so in the exercise's text.
    """

    id: str
    function: str
    points: float
    title: str = ""
    visible: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    hint: str = ""
    rtol: float = 1e-6
    atol: float = 1e-9
    keep_inputs: bool = True
    forbidden: list = field(default_factory=list)

    def __post_init__(self):
        if not all(isinstance(f, str) and "." in f and all(part.isidentifier() for part in f.split("."))
                   for f in self.forbidden):
            raise ValueError(f"{self.id}: forbidden must be dotted names, e.g. 'gdlearn.optim.sgd'")
        self.forbidden = list(self.forbidden)
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise ValueError(f"id must look like 'ex01_2' (chapter 01, exercise 2), got {self.id!r}")
        if not (isinstance(self.function, str) and self.function.isidentifier()):
            raise ValueError(f"function must be a Python name, got {self.function!r}")
        if not (isinstance(self.points, (int, float)) and self.points > 0):
            raise ValueError(f"points must be > 0, got {self.points!r}")
        if not self.visible:
            raise ValueError(f"{self.id}: give at least one visible case")
        for name in ("visible", "hidden"):
            cases = list(getattr(self, name))
            if not all(isinstance(c, Case) for c in cases):
                raise TypeError(f"{self.id}: {name} must be a list of Case")
            setattr(self, name, cases)
        if not all(isinstance(m, Mistake) for m in self.mistakes):
            raise TypeError(f"{self.id}: mistakes must be a list of Mistake")
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"{self.id}: rtol and atol must be >= 0")
        self.title = self.title or f"Exercise {self.number}"
        if _collector is not None:
            _collector.append(self)

    def __repr__(self) -> str:
        return (f"Exercise {self.id}: {self.function}, {self.points:g} points, "
                f"{len(self.visible)} visible + {len(self.hidden)} hidden cases, "
                f"{len(self.mistakes)} classic mistakes")

    @property
    def chapter(self) -> str:
        """The two-digit chapter number, e.g. ``"01"``."""
        return _ID.match(self.id).group(1)

    @property
    def number(self) -> str:
        """``"1.2"`` for ``ex01_2``."""
        chapter, k = _ID.match(self.id).groups()
        return f"{int(chapter)}.{k}"

    def cases(self) -> list[tuple[Case, bool]]:
        """All cases with their visibility, visible first: ``[(case, visible), ...]``."""
        return [(c, True) for c in self.visible] + [(c, False) for c in self.hidden]

    def case_points(self) -> list[float]:
        """Each case's share of :attr:`points`, in the order of :meth:`cases`."""
        weights = [c.weight for c, _ in self.cases()]
        return [self.points * w / sum(weights) for w in weights]


@contextlib.contextmanager
def collecting() -> Iterator[list]:
    """Collect every :class:`Exercise` created inside the ``with`` block.

    Examples
    --------
    >>> with collecting() as found:
    ...     _ = Exercise("ex09_1", function="f", points=1, visible=[Case(1.0)])
    >>> [e.id for e in found]
    ['ex09_1']
    """
    global _collector
    previous, _collector = _collector, []
    try:
        yield _collector
    finally:
        _collector = previous
