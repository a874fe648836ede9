"""The code base keeps its shape: ruff, the import layers, types, sizes, and no machine paths.

Each check runs the tool configured in pyproject.toml, so CI fails on a broken layer or a type
error just as it fails on a broken test.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PRODUCTION_PACKAGES = ("portal", "tracker")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(path).exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return path


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    result = _run(_tool("ruff"), "check", "--quiet", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold():
    """pyproject.toml's [tool.importlinter] contracts: portal never imports tracker, the rules stay
    pure, and each tracker layer imports only the layers below it."""
    result = _run(_tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_check():
    """mypy as configured in pyproject.toml: strict for the rules, the use cases and storage."""
    result = _run(_tool("mypy"), "--no-error-summary")
    assert result.returncode == 0, result.stdout + result.stderr


def _rules_modules() -> list[str]:
    folder = ROOT / "tracker" / "rules"
    return [f"tracker.rules.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]


def test_the_rules_load_neither_flask_nor_sqlalchemy():
    modules = ["tracker.rules", *_rules_modules()]
    probe = ("import importlib, sys\n"
             f"for name in {modules!r}: importlib.import_module(name)\n"
             "print(sorted(m for m in ('flask', 'sqlalchemy', 'werkzeug') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def _production_files() -> list[Path]:
    return [path for package in PRODUCTION_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts]


def test_modules_stay_small():
    too_long = {str(p.relative_to(ROOT)): n for p in _production_files()
                if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_functions_stay_short():
    too_long = []
    for path in _production_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_no_file_points_outside_the_clone():
    """A user's clone has no developer machine paths and no folders beside the repository."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    outside = "|".join(("/" + "work/", r"\.\./" + "shared"))
    result = _run("git", "grep", "-n", "-I", "-E", outside, "--", ".")
    assert result.stdout == "", result.stdout
