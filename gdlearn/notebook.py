"""Set up a chapter notebook: live figures where the front end can show them, the course style.

Every chapter starts with::

    from gdlearn.notebook import setup
    setup()

which picks the interactive ipympl backend (``%matplotlib widget``) when it
is installed, falls back to static inline figures otherwise, and applies the
course's one look (:func:`gdlearn.style.set_style`). Set the environment
variable ``GDLEARN_STATIC=1`` to force static figures, e.g. for an HTML export.

Outside IPython (a plain script, a grader) ``setup`` only applies the style.
"""

from __future__ import annotations

import importlib.util
import os
import sys

__all__ = ["setup", "on_colab"]


def on_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def setup(interactive: bool = True) -> str:
    """Choose the matplotlib backend for a chapter and apply the course style.

    Parameters
    ----------
    interactive : bool, default True
        Prefer live ipympl figures. With ``False``, or when ipympl is missing,
        or when ``GDLEARN_STATIC=1``, figures are static PNGs (``inline``).

    Returns
    -------
    str
        ``"widget"``, ``"inline"``, or ``"none"`` outside IPython.

    Examples
    --------
    >>> setup()          # in a plain Python session there is no Jupyter kernel
    'none'
    """
    from .style import set_style

    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    backend = "none"
    # Only a Jupyter kernel's shell can show figures. A bare InteractiveShell (a test, a
    # script that created one) cannot switch backends: leave matplotlib alone there.
    if shell is not None and getattr(shell, "kernel", None) is not None:
        static = os.environ.get("GDLEARN_STATIC", "") not in ("", "0")
        live = interactive and not static and importlib.util.find_spec("ipympl") is not None
        if live and on_colab():  # pragma: no cover - only on Colab
            from google.colab import output
            output.enable_custom_widget_manager()
        backend = "widget" if live else "inline"
        shell.run_line_magic("matplotlib", backend)
    set_style()
    return backend
