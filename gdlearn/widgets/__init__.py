"""Interactive explorers: sliders and Play buttons over live matplotlib figures.

Every explorer is built from plain parts (``controls``, ``fig``, ``artists``,
``update(**values)``, ``status``, ``output``) composed into ``widget``; see
:class:`Explorer` in :mod:`gdlearn.widgets.explorers`. Importing this package
imports ipywidgets; ``import gdlearn`` does not.

Each chapter's explorers live in their own module here and are re-exported:

- :mod:`~gdlearn.widgets.explorers` — the base class, the tangent explorer
  (chapter 01), the learning-rate explorer and the descent player (chapter 02);
- :mod:`~gdlearn.widgets.batch` — the batch-size explorer (chapter 04);
- :mod:`~gdlearn.widgets.momentum` — the momentum explorer (chapter 05);
- :mod:`~gdlearn.widgets.race` — the optimizer race (chapter 06);
- :mod:`~gdlearn.widgets.clipping` — the clipping explorer (chapter 07);
- :mod:`~gdlearn.widgets.newton` — Newton vs gradient descent, step by step (chapter 08).
"""

from .explorers import (
    DescentPlayer,
    Explorer,
    LearningRateExplorer,
    TangentExplorer,
    descent_player,
    divergence_message,
    learning_rate_explorer,
    tangent_explorer,
)
from .batch import BatchSizeExplorer, batch_size_explorer
from .clipping import ClippingExplorer, clipping_explorer
from .momentum import MomentumExplorer, momentum_explorer
from .newton import NewtonExplorer, newton_explorer
from .race import RaceExplorer, optimizer_race

__all__ = [
    "Explorer",
    "LearningRateExplorer",
    "TangentExplorer",
    "DescentPlayer",
    "learning_rate_explorer",
    "tangent_explorer",
    "descent_player",
    "divergence_message",
    "BatchSizeExplorer",
    "batch_size_explorer",
    "MomentumExplorer",
    "momentum_explorer",
    "RaceExplorer",
    "optimizer_race",
    "ClippingExplorer",
    "clipping_explorer",
    "NewtonExplorer",
    "newton_explorer",
]
