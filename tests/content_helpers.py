"""Helpers for content tests: the shipped library, and planting errors in a copy of the fixture content."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from portal.loader import check
from portal.model import Catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "content"
REPO = Path(__file__).parents[1]


@cache
def shipped_catalogue() -> Catalogue:
    """The starter library as shipped, checked once per test process (it must have no problems)."""
    report = check(REPO)
    assert report.ok, "\n".join(map(str, report.problems))
    return report.catalogue


def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    file = root / rel
    text = file.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    file.write_text(text.replace(old, new, 1), "utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    for number, line in enumerate((root / rel).read_text("utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")
