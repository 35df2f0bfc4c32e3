"""The library reads top-down: no import cycles, every public name at its documented path.

The import graph is built statically with ``ast`` from the source files of
``gdlearn`` (every ``import`` and ``from ... import`` statement, including those
inside functions and ``if`` blocks, which run later but still tie two modules
together). An edge goes to the module a statement names: ``from .optim import
sgd`` is an edge to ``gdlearn.optim``, ``from . import plotting`` an edge to
``gdlearn.plotting``. The implicit import of a module's own parent packages is
not an edge (importing ``gdlearn.optim.base`` runs ``gdlearn/__init__.py``
first, for every submodule alike), but naming the parent package explicitly is.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gdlearn"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of ``from <level dots><module> import ...`` inside ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]                      # a module's '.' is its package
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """Module -> the gdlearn modules it imports anywhere in its source."""
    modules = _modules() if modules is None else modules
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, is_package, node.level, node.module)
                # `from pkg import sub` names the submodule when there is one
                candidates = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source
                              for a in node.names]
            else:
                continue
            targets.update(c for c in candidates if c in modules and c != name)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}                # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_known_edges():
    graph = import_graph()
    assert "gdlearn.optim.base" in graph["gdlearn.optim"]          # from .base import ...
    assert "gdlearn.schedules" in graph["gdlearn.optim.base"]      # from ..schedules import ...
    assert "gdlearn.optim" in graph["gdlearn.mlp"]
    assert "gdlearn.models" in graph["gdlearn.mlp"]
    assert "gdlearn.plotting" in graph["gdlearn.widgets.clipping"]  # from .. import plotting


def test_the_checker_finds_cycles(tmp_path):
    """The walker and the cycle search on a made-up package: a cycle through a function-level import."""
    pkg = tmp_path / "gdlearn"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import x\n    return x\n")
    (pkg / "c.py").write_text("import gdlearn.sub.b\n")
    modules = {".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
               for p in pkg.rglob("*.py")}
    graph = import_graph(modules)
    assert graph == {"gdlearn": {"gdlearn.a"}, "gdlearn.a": {"gdlearn.sub.b"}, "gdlearn.sub": set(),
                     "gdlearn.sub.b": {"gdlearn.a"}, "gdlearn.c": {"gdlearn.sub.b"}}
    assert find_cycle(graph) == ["gdlearn.a", "gdlearn.sub.b", "gdlearn.a"]
    graph["gdlearn.sub.b"] = set()
    assert find_cycle(graph) is None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_lazy_module_getattr():
    """No module hides an import behind a module ``__getattr__`` (the old models -> mlp re-export)."""
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "__getattr__" not in names, name


# ---------------------------------------------------------------- public names at their paths

# The documented import paths: each module's __all__, and the names the chapters use.
PUBLIC = {
    "gdlearn.optim": [
        "Params", "Updates", "GradientTransformation", "EmptyState", "ScaleByLearningRateState",
        "MomentumState", "apply_updates", "chain", "identity", "scale_by_learning_rate",
        "scale_by_momentum", "add_decayed_weights", "clip_by_global_norm", "clip_by_value", "sgd",
        "Schedule", "constant_schedule", "step_schedule", "exponential_schedule",
        "inverse_time_schedule", "cosine_schedule", "linear_warmup", "join_schedules",
        "warmup_cosine_schedule", "ScaleByAdagradState", "ScaleByRmsState", "ScaleByAdamState",
        "scale_by_adagrad", "scale_by_rms", "scale_by_adam", "adagrad", "rmsprop", "adam", "adamw",
    ],
    "gdlearn.models": ["mse_loss", "mse_grad", "sigmoid", "logistic_loss", "logistic_grad", "minibatches"],
    "gdlearn.mlp": ["ACTIVATIONS", "TrainHistory", "init_mlp", "layer_sizes", "stack_params",
                    "unstack_params", "mlp_forward", "mlp_loss", "mlp_loss_and_grad", "predict_proba",
                    "predict", "accuracy", "global_norm", "train"],
    "gdlearn.run": ["Trace", "ManyTrace", "run", "run_many"],
    "gdlearn": ["calculus", "optim", "schedules", "surfaces", "run", "run_many", "Trace", "ManyTrace",
                "__version__"],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names_import_from_their_documented_path(module):
    mod = importlib.import_module(module)
    assert list(mod.__all__) == PUBLIC[module] if module != "gdlearn.optim" else \
        sorted(mod.__all__) == sorted(PUBLIC[module])
    for name in PUBLIC[module]:
        namespace: dict = {}
        exec(f"from {module} import {name}", namespace)      # the statement a chapter writes
        assert namespace[name] is getattr(mod, name)


def test_every_all_name_exists():
    for name in _modules():
        if name.startswith("gdlearn.widgets") or name.startswith("gdlearn.grading"):
            continue                         # widgets need ipywidgets; grading has its own tests
        mod = importlib.import_module(name)
        assert hasattr(mod, "__all__"), name
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert not missing, (name, missing)


def test_chapters_solutions_exercises_import_only_public_names():
    """Every ``from gdlearn.X import name`` in the course's .py sources resolves."""
    for folder in ("chapters", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gdlearn") \
                        and not node.module.startswith("gdlearn.widgets"):
                    mod = importlib.import_module(node.module)
                    for alias in node.names:
                        assert (hasattr(mod, alias.name) or alias.name == "*"
                                or importlib.util.find_spec(f"{node.module}.{alias.name}")), \
                            f"{path.name}: from {node.module} import {alias.name}"


def test_import_gdlearn_stays_light():
    """``import gdlearn`` (and the optimizers) pulls in neither ipywidgets nor matplotlib."""
    code = ("import sys, json, gdlearn, gdlearn.optim, gdlearn.run, gdlearn.models, gdlearn.mlp; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ipywidgets', 'matplotlib'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert json.loads(out.stdout) == []
