"""``python -m gdlearn.grade NOTEBOOK...``: grade exercise notebooks (see :mod:`gdlearn.grading.report`)."""

import sys

from gdlearn.grading.report import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
