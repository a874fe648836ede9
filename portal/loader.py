"""Find, parse and check content files, then build the catalogue.

Parsing uses PyYAML's C loader and each JSON Schema is compiled once; line numbers are looked up
only for files that have a problem, so valid content costs little more than parsing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from portal import archive, schema, yamlio
from portal.build import build_catalogue
from portal.model import Catalogue
from portal.problems import ContentError, Problem
from portal.rules import check_references

OFFICE_FILE = "policies/office.yml"
CERTIFICATIONS_FILE = "training/certifications.yml"


@dataclass
class Document:
    """One parsed content file: its kind, place, text and data."""

    kind: str
    path: str  # relative to the content root, with forward slashes
    text: str
    data: object = None
    valid: bool = False
    bad_line: int | None = None  # line of the first byte that is not UTF-8


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    catalogue: Catalogue | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class Locator:
    """Adds problems, finding the line and column of a YAML path only when asked."""

    def __init__(self, documents: dict[str, Document]):
        self.documents = documents
        self.problems: list[Problem] = []

    def add(self, path: str, where: list, message: str, hint: str = "", *, key: bool = False) -> None:
        document = self.documents.get(path)
        line, column = yamlio.locate(document.text, where, key=key) if document else (1, 1)
        self.problems.append(Problem(path, line, column, message, hint))


def discover(root: Path) -> tuple[dict[str, Document], list[Problem]]:
    """Every content file under root, by kind; misplaced files are problems, not surprises."""
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    for folder in ("policies", "training"):
        base = root / folder
        if not base.is_dir():
            problems.append(Problem(folder, 1, 1, f"folder '{folder}/' not found",
                                    "run from the folder that holds policies/ and training/, or pass it: portal validate DIR"))
            continue
        for file in sorted(base.rglob("*")):
            if not file.is_file() or file.name.startswith("."):
                continue
            rel = file.relative_to(root).as_posix()
            kind, problem = _kind_of(rel)
            if problem:
                problems.append(Problem(rel, 1, 1, *problem))
            elif kind:
                documents[rel] = _read(kind, rel, file)
    for required in (OFFICE_FILE, CERTIFICATIONS_FILE):
        if required not in documents and (root / required.split("/")[0]).is_dir():
            problems.append(Problem(required, 1, 1, "file not found", "create it; see README.md, 'Content files'"))
    return documents, problems


def _kind_of(rel: str) -> tuple[str | None, tuple[str, str] | None]:
    parts = rel.split("/")
    if archive.is_archived_path(rel):
        return archive.kind_of(rel)
    if parts[-1].endswith(".yaml"):
        return None, ("content files must end in .yml", f"rename it to {parts[-1][:-5]}.yml")
    if not parts[-1].endswith(".yml"):
        return None, None  # images, notes and the like may sit beside content
    if rel == OFFICE_FILE:
        return "office", None
    if rel == CERTIFICATIONS_FILE:
        return "certifications", None
    if parts[0] == "policies" and len(parts) == 3:
        return "policy", None
    if parts[0] == "training" and len(parts) == 2:
        return "module", None
    where = "policies/<category>/<id>.yml" if parts[0] == "policies" else "training/<id>.yml"
    return None, ("file is not where content files go", f"move it to {where}")


def _read(kind: str, rel: str, file: Path) -> Document:
    data = file.read_bytes()
    try:
        return Document(kind, rel, data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        # Keep the readable part so the report can name the line of the bad byte.
        return Document(kind, rel, data.decode("utf-8", errors="replace"), bad_line=data.count(b"\n", 0, error.start) + 1)


def parse_and_check_schema(document: Document, locator: Locator) -> None:
    if document.bad_line is not None:
        locator.problems.append(Problem(document.path, document.bad_line, 1, "file is not valid UTF-8 text",
                                        "save it as UTF-8 in your editor"))
        return
    if document.kind == "archive":  # Markdown text, checked against its policy by portal.archive
        document.data, document.valid = document.text, True
        return
    try:
        document.data = yamlio.parse(document.text)
    except yaml.YAMLError as error:
        line, column = yamlio.error_position(error)
        locator.problems.append(Problem(document.path, line, column,
                                        f"YAML syntax error: {yamlio.error_text(error)}",
                                        "check indentation, colons and quotes on this line or the one before"))
        return
    if document.data is None:
        locator.problems.append(Problem(document.path, 1, 1, "file is empty", "fill it in or delete it"))
        return
    errors = list(schema.validator(document.kind).iter_errors(document.data))
    for invalid in errors:
        for where, message, hint, key in schema.describe(invalid):
            locator.add(document.path, where, message, hint, key=key)
    document.valid = not errors


class ContentCache:
    """Checks one content folder again and again (`portal serve` does on every save), parsing again
    only the files whose text changed since the last check.

    Files are still all read (a few milliseconds for thousands) and the cross-file rules and the
    catalogue run on everything, so the report is the one a first check gives.
    """

    def __init__(self) -> None:
        self.root: Path | None = None
        self.parsed: dict[str, Document] = {}  # valid documents of the last check, by path

    def check(self, root: str | Path = ".") -> Report:
        """Validate everything under root and build the catalogue if there is no problem."""
        root = Path(root)
        if root != self.root:
            self.root, self.parsed = root, {}
        documents, problems = discover(root)
        locator = Locator(documents)
        locator.problems.extend(problems)
        for path, document in documents.items():
            known = self.parsed.get(path)
            if known is not None and known.text == document.text and known.kind == document.kind:
                document.data, document.valid = known.data, True
            else:
                parse_and_check_schema(document, locator)
        check_references(documents, locator)
        locator.problems.extend(archive.check_archives(documents))
        report = Report(problems=sorted(locator.problems), files=len(documents))
        self.parsed = {path: d for path, d in documents.items() if d.valid}
        if report.ok:
            report.catalogue = build_catalogue(documents)
        return report


def check(root: str | Path = ".") -> Report:
    """Validate everything under root and build the catalogue if there is no problem."""
    return ContentCache().check(root)


def load_catalogue(root: str | Path = ".") -> Catalogue:
    """The catalogue of valid content; raises ContentError listing every problem otherwise."""
    report = check(root)
    if report.catalogue is None:  # set exactly when there is no problem
        raise ContentError(report.problems)
    return report.catalogue
