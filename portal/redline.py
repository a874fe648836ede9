"""A readable redline between two versions of a Markdown text, as safe, accessible HTML.

The text is compared paragraph by paragraph (blocks separated by blank lines, compared with their
line wrapping ignored), and a changed paragraph word by word. Insertions are ``<ins>`` and deletions
``<del>``, each opening with visually hidden words ("added:", "removed:") so a screen reader, a
print-out and a reader who cannot tell the colours apart all get the change, not only its colour.
Every piece of text is escaped: the HTML is safe whatever the two texts hold.

Pure: no I/O, no site or tracker imports; the site (portal.render.policies) and the tracker's
signing page both show what it returns.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

HIDDEN = "redline-hidden"  # the visually hidden class; both style sheets define it
# Paragraph pairs less alike than this are shown as one removed and one added paragraph: a
# word-by-word diff of two unrelated paragraphs reads as noise.
SIMILAR = 0.4
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Redline:
    """The redline's HTML and how many paragraphs it shows as added, removed or changed."""

    html: str
    changed: int

    @property
    def summary(self) -> str:
        if not self.changed:
            return "No change to the text"
        return f"{self.changed} paragraph{'s' * (self.changed != 1)} changed"


def blocks(markdown: str) -> list[str]:
    """The paragraphs of a Markdown text: blocks between blank lines, trimmed, none empty."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    return [block.strip("\n").rstrip() for block in _BLANK_LINES.split(text) if block.strip()]


def _key(block: str) -> str:
    """What two paragraphs are compared by: their words, whatever the line wrapping."""
    return " ".join(block.split())


def _marked(tag: str, label: str, text: str) -> str:
    # The space before the label keeps it apart from a word right before it, when read aloud.
    return f'<{tag}><span class="{HIDDEN}"> {label} </span>{html.escape(text)}</{tag}>' if text else ""


def _added(text: str) -> str:
    return _marked("ins", "added:", text)


def _removed(text: str) -> str:
    return _marked("del", "removed:", text)


def _block(kind: str, body: str) -> str:
    return f'<div class="redline-block redline-{kind}">{body}</div>'


def _words(before: str, after: str) -> str:
    """One changed paragraph, word by word: unchanged words plain, the others marked."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    # Any run of spaces or line breaks matches any other: rewrapping a line is no change.
    matcher = difflib.SequenceMatcher(None, [" " if t.isspace() else t for t in old],
                                      [" " if t.isspace() else t for t in new], autojunk=False)
    runs: list[list] = []  # [changed, old text, new text]
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        runs.append([op != "equal", removed, added])
    return "".join(_run(changed, removed, added) for changed, removed, added in _merged(runs))


def _merged(runs: list[list]) -> list[list]:
    """Changes apart by a space or a single word read as one change: "<del>a the b</del><ins>c the
    d</ins>", not "<del>a</del><ins>c</ins> the <del>b</del><ins>d</ins>"."""
    merged: list[list] = []
    for run in runs:
        if (run[0] and len(merged) >= 2 and merged[-2][0] and not merged[-1][0]
                and len(merged[-1][2].split()) <= 1):
            space = merged.pop()[2]
            merged[-1] = [True, merged[-1][1] + space + run[1], merged[-1][2] + space + run[2]]
        else:
            merged.append(run)
    return merged


def _run(changed: bool, removed: str, added: str) -> str:
    return _removed(removed) + _added(added) if changed else html.escape(added)


def _replaced(old: list[str], new: list[str]) -> tuple[list[str], int]:
    """Paragraphs that took the place of others: alike pairs word by word, the rest whole; and how
    many paragraphs changed (a paragraph rewritten in place counts once)."""
    shown = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        if before is not None and after is not None and (
                difflib.SequenceMatcher(None, _key(before), _key(after)).ratio() >= SIMILAR):
            shown.append(_block("changed", _words(before, after)))
            continue
        if before is not None:
            shown.append(_block("removed", _removed(before)))
        if after is not None:
            shown.append(_block("added", _added(after)))
    return shown, max(len(old), len(new))


def _unchanged(paragraphs: list[str], first: bool, last: bool, context: int) -> list[str]:
    """Unchanged paragraphs: ``context`` of them beside each change, the others counted, not shown."""
    keep_start = 0 if first else context
    keep_end = 0 if last else context
    if len(paragraphs) <= keep_start + keep_end + 1:
        return [_block("same", html.escape(p)) for p in paragraphs]
    hidden = len(paragraphs) - keep_start - keep_end
    gap = _block("gap", f"{hidden} unchanged paragraph{'s' * (hidden != 1)} not shown")
    return ([_block("same", html.escape(p)) for p in paragraphs[:keep_start]] + [gap]
            + [_block("same", html.escape(p)) for p in paragraphs[len(paragraphs) - keep_end:]])


def redline(before: str, after: str, context: int = 1) -> Redline:
    """The changes from ``before`` to ``after`` (two Markdown texts) as HTML, with ``context``
    unchanged paragraphs shown beside each change."""
    old, new = blocks(before), blocks(after)
    matcher = difflib.SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
    codes = matcher.get_opcodes()
    shown: list[str] = []
    changed = 0
    for index, (op, i1, i2, j1, j2) in enumerate(codes):
        if op == "equal":
            shown += _unchanged(new[j1:j2], index == 0, index == len(codes) - 1, context)
            continue
        part, count = _replaced(old[i1:i2], new[j1:j2])
        shown += part
        changed += count
    if not changed:
        return Redline(html='<div class="redline"><p>The text did not change.</p></div>', changed=0)
    return Redline(html='<div class="redline">' + "".join(shown) + "</div>", changed=changed)

