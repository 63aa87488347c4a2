"""The house rules, read from the source: which room may import which, no import
cycle, and no module too long to read in one sitting.

Every ``import`` statement counts, including those inside functions (a lazy import
is still an arrow).  The rooms and arrows are drawn in the README's development
section; this test is the same drawing, enforced.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "ingest", "retrieval")
MAX_LINES = 450

# room -> the rooms of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "retrieval.common": set(),
    "retrieval.index": {"retrieval.common"},
    "retrieval.judge": {"retrieval.common", "retrieval.index"},
    "retrieval.engine": {"retrieval.common", "retrieval.index", "retrieval.judge"},
    "ingest": {"retrieval.common", "retrieval.index"},
    "bot": {"retrieval.common", "retrieval.index", "retrieval.judge", "retrieval.engine", "ingest"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that ``name`` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from pkg import mod`` imports the module ``pkg.mod``
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def room_of(module: str) -> str:
    for room in sorted(ALLOWED, key=len, reverse=True):
        if module == room or module.startswith(room + "."):
            return room
    return module.split(".")[0]  # "retrieval" itself: the package docstring


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_rooms_import_only_what_the_drawing_allows():
    wrong = []
    for module, targets in graph().items():
        room = room_of(module)
        for target in targets:
            other = room_of(target)
            if other != room and other not in ALLOWED.get(room, set()):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "forbidden imports:\n" + "\n".join(sorted(wrong))


def test_the_rule_reads_relative_and_lazy_imports(tmp_path):
    """The reader itself: a lazy relative import inside a function is an arrow."""
    pkg = tmp_path / "ingest"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n    from retrieval.engine import compose\n")
    (pkg / "b.py").write_text("g = 1\n")
    known = {"ingest": pkg / "__init__.py", "ingest.a": pkg / "a.py", "ingest.b": pkg / "b.py",
             "retrieval.engine": pkg / "__init__.py", "retrieval.engine.compose": pkg / "b.py"}
    assert imports_of("ingest.a", pkg / "a.py", known) == {"ingest.b", "retrieval.engine.compose"}
    assert room_of("retrieval.engine.compose") not in ALLOWED["ingest"]


def test_no_import_cycle():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_module_is_too_long():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


# The process environment is the composition root's business (bot/app.py): the library reads
# and sets none of it, so what a test or an embedding program passes in is what it gets.
ENV_CALLS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_uses(source: str) -> list[str]:
    """``os.environ``, ``os.getenv``, ``os.putenv``... and ``from os import environ`` in source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENV_CALLS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names if a.name in ENV_CALLS]
    return found


def test_library_rooms_leave_the_environment_alone():
    uses = {name: found for name, path in modules().items()
            if room_of(name) != "bot" and (found := environment_uses(path.read_text(encoding="utf-8")))}
    assert not uses, f"environment variables read or set outside bot/: {uses}"


def test_the_environment_rule_reads_every_spelling():
    source = ("import os\nfrom os import getenv\nx = os.environ.get('A')\n"
              "def f(environ):\n    os.putenv('B', '1')\n    return environ.get('C')\n")
    assert environment_uses(source) == ["line 2: from os import getenv", "line 3: .environ",
                                        "line 5: .putenv"]
