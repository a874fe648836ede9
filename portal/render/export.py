"""Write the generated Markdown and the hand-written docs to a folder, for any site generator."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from portal.model import Catalogue
from portal.render import fill_markers, render_site


def export_markdown(catalogue: Catalogue, today: date, docs_dir: Path, out_dir: Path) -> list[Path]:
    """Copy docs_dir (markers filled in), then add the generated pages; returns the pages written."""
    written = []
    if docs_dir.is_dir():
        for source in sorted(docs_dir.rglob("*")):
            if not source.is_file():
                continue
            rel = source.relative_to(docs_dir).as_posix()
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".md":
                target.write_text(fill_markers(source.read_text(encoding="utf-8"), catalogue, rel), encoding="utf-8")
                written.append(target)
            else:
                shutil.copyfile(source, target)
    for rel, markdown in render_site(catalogue, today).items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
        written.append(target)
    return written
