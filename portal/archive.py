"""Earlier versions' text, kept as content so the site can show what changed.

A policy file holds only its current text. Before raising a policy's version, `portal archive
<policy-id>` copies the current body to ``policies/archive/<policy-id>/v<version>.md``; the policy's
page then shows a redline from the newest archived version to the current one, under its revision
history. An archived file must name a policy and a version listed in its history; the current
version's archived text (kept just before an edit) must match the policy's text until the version
is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portal.model import Policy
from portal.problems import Problem

FOLDER = "policies/archive"
_NAME = re.compile(r"^policies/archive/(?P<policy>[^/]+)/v(?P<version>[1-9][0-9]{0,5})\.md$")
WHERE = "policies/archive/<policy-id>/v<version>.md"


@dataclass(frozen=True)
class ArchivedName:
    policy_id: str
    version: int


def path_for(policy_id: str, version: int) -> str:
    """Where the text of this policy's version is archived, relative to the content root."""
    return f"{FOLDER}/{policy_id}/v{version}.md"


def is_archived_path(rel: str) -> bool:
    return rel.startswith(FOLDER + "/")


def kind_of(rel: str) -> tuple[str | None, tuple[str, str] | None]:
    """The kind of a file under the archive folder: ("archive", None), or a problem with it.

    Files that are neither Markdown nor YAML (notes, images) may sit there, as elsewhere.
    """
    if _NAME.match(rel):
        return "archive", None
    if rel.endswith((".md", ".yml", ".yaml")):
        return None, ("file is not where archived versions go", f"name it {WHERE}, e.g. by running "
                      "`portal archive <policy-id>`")
    return None, None


def name_of(rel: str) -> ArchivedName:
    match = _NAME.match(rel)
    if match is None:  # kind_of admits only matching paths
        raise ValueError(f"not an archived version's path: {rel}")
    return ArchivedName(match["policy"], int(match["version"]))


def check_archives(documents: dict) -> list[Problem]:
    """Each archived text names a policy, an earlier version of it that its history lists, and has
    text. Its problems are about the file as a whole, so they point at its first line."""
    policies = {d.data["id"]: d.data for d in documents.values()
                if d.kind == "policy" and isinstance(d.data, dict) and isinstance(d.data.get("id"), str)}
    problems = []
    for document in documents.values():
        if document.kind == "archive" and document.bad_line is None:
            problem = _problem(name_of(document.path), document.text, policies.get(name_of(document.path).policy_id))
            if problem:
                problems.append(Problem(document.path, 1, 1, *problem))
    return problems


def _problem(name: ArchivedName, text: str, policy: dict | None) -> tuple[str, str] | None:
    if not text.strip():
        return "archived version is empty", "put the text of that version in it, or delete the file"
    if policy is None:
        return (f"there is no policy '{name.policy_id}' to archive a version of",
                f"name the folder after a policy id, as in {WHERE}")
    history = policy.get("history")
    listed = {e.get("version") for e in history if isinstance(e, dict)} if isinstance(history, list) else set()
    if name.version not in listed:
        return (f"version {name.version} is not in the history of policy '{name.policy_id}'",
                "archive only versions listed under history: in the policy's file")
    # `portal archive` keeps the current text before an edit: until the version is raised the two
    # must agree, so an edit that forgets to raise it is caught here.
    if name.version == policy.get("version") and _normal(text) != _normal(str(policy.get("body"))):
        return (f"the policy's text differs from archived version {name.version}, yet it is still version "
                f"{name.version}", f"raise version: in policies/.../{name.policy_id}.yml and add a history "
                "entry, or undo the edit")
    return None


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def earlier_bodies(documents: dict) -> dict[str, tuple[tuple[int, str], ...]]:
    """The archived texts of each policy by id: (version, text), oldest first."""
    found: dict[str, list[tuple[int, str]]] = {}
    for document in documents.values():
        if document.kind == "archive":
            name = name_of(document.path)
            found.setdefault(name.policy_id, []).append((name.version, document.text))
    return {policy_id: tuple(sorted(texts)) for policy_id, texts in found.items()}


def previous(policy: Policy) -> tuple[int, str] | None:
    """The newest archived version before the current one, and its text; None if none is archived."""
    earlier = [(version, body) for version, body in policy.earlier_bodies if version < policy.version]
    return max(earlier, default=None)


class ArchiveExists(Exception):
    """The archive already holds a different text for this version."""


def write(root: Path, policy: Policy) -> tuple[str, bool]:
    """Archive the current text of a policy: (its path, whether it was written now).

    Writing the same text again is no change; a different text for the same version is refused,
    since that version's archived text is what was published.
    """
    rel = path_for(policy.id, policy.version)
    target = root / rel
    text = policy.body if policy.body.endswith("\n") else policy.body + "\n"
    if target.is_file():
        if target.read_text("utf-8-sig") == text:
            return rel, False
        raise ArchiveExists(f"{rel} already holds a different text for version {policy.version}; "
                            "keep it, or delete it first if it is wrong")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    return rel, True
