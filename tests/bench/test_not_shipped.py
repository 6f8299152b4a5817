"""bench/ stays out of the product: nothing in it imports bench, and the wheel leaves it out."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import tomllib
from pathlib import Path

import pytest
import setuptools

from web import cli

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("market", "matching", "web")
# the one hand-over: `linggong bench ...` runs bench's own command, at call time, when present
ALLOWED = {("web/cli.py", "bench.cli")}
IMPORTERS = {"import_module", "__import__", "run_module", "import_string"}


def _is_bench(name: str) -> bool:
    return name == "bench" or name.startswith("bench.")


def _bench_imports(path: Path) -> set[str]:
    """Every module of bench that the file imports, statically or by name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if _is_bench(alias.name)}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and _is_bench(node.module):
                found.add(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in IMPORTERS:
                found |= {
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and _is_bench(arg.value)
                }
    return found


def test_no_product_module_imports_bench_but_the_cli_hand_over() -> None:
    files = [path for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) > 50
    imports = {
        (path.relative_to(ROOT).as_posix(), name) for path in files for name in _bench_imports(path)
    }
    assert imports == ALLOWED


def test_the_import_check_sees_every_way_of_importing(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import bench\nimport bench.live as x\n"
        "from bench.load import stack\nfrom bench import cli\n"
        "importlib.import_module('bench.stats')\n__import__('bench.match')\n"
        "from benchmarks import y\nimport_module('benchmarks')\n"
    )
    assert _bench_imports(module) == {
        "bench",
        "bench.live",
        "bench.load",
        "bench.stats",
        "bench.match",
    }


def test_the_wheel_packages_leave_bench_out() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    find = config["tool"]["setuptools"]["packages"]["find"]
    # as setuptools reads [tool.setuptools.packages.find]: namespace packages unless told not to
    finder = (
        setuptools.find_namespace_packages
        if find.get("namespaces", True)
        else setuptools.find_packages
    )
    packages = finder(
        where=str(ROOT), include=find.get("include", ["*"]), exclude=find.get("exclude", ())
    )
    assert {"market", "market.demo", "matching", "web"} <= set(packages)
    assert [p for p in packages if _is_bench(p) or p.startswith("tests")] == []


def test_without_the_benchmarks_the_cli_says_where_they_are(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(name: str) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}", name="bench")

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())  # no checkout look
    monkeypatch.setattr(importlib, "import_module", missing)
    assert cli.main(["bench", "live", "--clients", "10"]) == 2
    assert "python -m bench live" in capsys.readouterr().err
    assert cli.main(["match", "bench", "--quick"]) == 2
    assert "benchmarks are not installed" in capsys.readouterr().err


def test_the_cli_hands_bench_commands_over_when_they_are_here(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["bench", "--help"]) == 0
    assert (
        "python -m bench {live,stats,load,feed,alerts,prices,book,match,races}"
        in capsys.readouterr().out
    )
    assert cli.main(["match", "bench", "--help"]) == 0
    assert "--quick" in capsys.readouterr().out
