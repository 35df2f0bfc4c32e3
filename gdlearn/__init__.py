"""gdlearn: the companion library of the gradient-descent course.

The core (surfaces, calculus, optimizers, runs) needs only numpy, so it works
in a plain script or a grader. Plots and widgets are separate modules, imported
when you need them::

    from gdlearn import plotting, widgets, animation

Examples
--------
>>> from gdlearn import optim, surfaces
>>> from gdlearn.run import run
>>> trace = run(optim.sgd(lr=0.1), surfaces.booth, x0=[0.0, 0.0])
>>> trace.status, trace.x.round(6).tolist()
('converged', [1.0, 3.0])
"""

# `gdlearn.run` is the module; the function is `gdlearn.run.run`, so that
# `from gdlearn.run import run` is the one way to write it.
from . import calculus, optim, run, schedules, surfaces
from .run import ManyTrace, Trace, run_many

__version__ = "0.1.0"

__all__ = [
    "calculus",
    "optim",
    "schedules",
    "surfaces",
    "run",
    "run_many",
    "Trace",
    "ManyTrace",
    "__version__",
]
