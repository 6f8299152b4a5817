"""The layout's rules (DESIGN.md, STYLE.md), checked on the source so a change cannot drift.

Dependencies point one way, `web -> market -> matching`; tooling lives in `bench/`, outside
the product; modules and folders stay small enough to find one's way in.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("market", "matching", "web")
MAX_MODULE_LINES = 450
MAX_MODULES_PER_FOLDER = 15


def _modules(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in the file, at any depth."""
    found: list[tuple[str, list[str], int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [a.name for a in node.names], node.lineno))
    return found


def _offenders(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules(*packages)
        for module, _, line in _imports(path)
        if module.split(".")[0] in forbidden
    ]


def test_matching_imports_neither_the_market_nor_the_web_nor_a_database() -> None:
    forbidden = ("market", "web", "bench", "sqlalchemy", "sqlmodel", "fastapi", "starlette")
    assert _offenders(("matching",), forbidden) == []


def test_market_never_imports_the_web() -> None:
    assert _offenders(("market",), ("web", "bench", "fastapi", "starlette")) == []


def test_no_product_module_is_over_the_size_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules(*PRODUCT)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_product_folder_holds_too_many_modules() -> None:
    per_folder = Counter(str(p.parent.relative_to(ROOT)) for p in _modules(*PRODUCT))
    crowded = {folder: n for folder, n in per_folder.items() if n > MAX_MODULES_PER_FOLDER}
    assert crowded == {}


def test_no_private_name_is_imported_from_another_module() -> None:
    private = [
        f"{path.relative_to(ROOT)}:{line} takes {name} from {module}"
        for path in _modules(*PRODUCT)
        for module, names, line in _imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


@pytest.mark.parametrize("needle", ["select(", "HTTPException"])
def test_routes_hold_no_queries_and_the_domain_no_http(needle: str) -> None:
    where = "web" if needle == "select(" else "market"
    hits = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _modules(where)
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line and not line.lstrip().startswith("#")
    ]
    assert hits == []


def test_every_table_is_imported_by_market_models() -> None:
    from sqlmodel import SQLModel

    from market import models

    declared = set()
    for path in _modules("market"):
        if path.name == "models.py" and path.parent.name != "market":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            declared |= {
                node.name
                for node in tree.body
                if isinstance(node, ast.ClassDef) and any(kw.arg == "table" for kw in node.keywords)
            }
    exported = {n for n in declared if isinstance(getattr(models, n, None), type)}
    assert exported == declared
    assert {t.name for t in SQLModel.metadata.sorted_tables} >= {"job", "application", "user"}
