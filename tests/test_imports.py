"""The shape of the package: no import circle, and a top level of packages only.

The graph is built from the source text with :mod:`ast` (nothing is imported), from the imports
a module runs when it is loaded: those at module level, ``if TYPE_CHECKING:`` blocks included,
and not those inside functions, which run only when called. A second check adds the imports
inside functions too: deferring an import (to load torch or matplotlib only when needed) must
not be a way around a circle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "halluc"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements outside any function (module body, class bodies, if/try blocks)."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            else:
                todo.append(child)
    return found


def all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, in functions too."""
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def imported_modules(path: Path, known: set[str], *, deferred: bool = False) -> set[str]:
    """The halluc modules that loading ``path`` imports by name (and its functions, if
    ``deferred``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in (all_imports if deferred else module_level_imports)(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            if sub in known:
                out.add(sub)
            elif base in known:
                out.add(base)
    out.discard(name)
    return out


def import_graph(*, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the halluc modules it imports when loaded (or ever, if ``deferred``)."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(f) for f in files}
    return {module_name(f): imported_modules(f, known, deferred=deferred) for f in files}


def first_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle, each module importing the next, the first repeated at the end; or []."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        # graphlib reads the mapping as node -> predecessors, so its cycle runs backwards
        return list(reversed(exc.args[1]))
    return []


def all_cycles(graph: dict[str, set[str]]) -> list[str]:
    """Circles found one at a time, each broken where found, until none is left."""
    found = []
    while cycle := first_cycle(graph):
        found.append(" -> ".join(cycle))
        graph[cycle[0]] = graph[cycle[0]] - {cycle[1]}
    return found


def test_the_graph_sees_the_imports_it_should() -> None:
    graph = import_graph()
    assert len(graph) > 100
    assert "halluc.errors" in graph["halluc.cli._errors"]
    assert "halluc.log.outcomes" in graph["halluc.scoring.rules"]


def test_a_circle_is_found_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    cycle = first_cycle(graph)
    assert sorted(set(cycle)) == ["a", "b", "c"]
    assert all(cycle[i + 1] in graph[cycle[i]] for i in range(len(cycle) - 1))
    assert first_cycle({"a": {"b"}, "b": set()}) == []
    assert len(all_cycles({"a": {"b"}, "b": {"a", "c"}, "c": {"b"}})) == 2


def test_no_module_imports_itself_through_others() -> None:
    assert all_cycles(import_graph()) == []


def test_no_circle_even_through_imports_deferred_into_functions() -> None:
    deferred = import_graph(deferred=True)
    assert "halluc.experiments.plots" in deferred["halluc.experiments.sweep"]
    assert all_cycles(deferred) == []


def test_top_level_holds_only_packages_init_main_and_errors() -> None:
    loose = sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py", "errors.py")
    )
    assert loose == []
    for sub in PACKAGE.iterdir():
        if sub.is_dir() and any(sub.glob("*.py")):
            assert (sub / "__init__.py").is_file(), f"{sub.name} is not a package"
