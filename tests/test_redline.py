"""portal.redline: a readable, accessible, safe redline between two Markdown texts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.redline import blocks, redline

BEFORE = """## Purpose

Staff share the minimum necessary.

Share with a payer only what the claim needs.

Ask the privacy officer when unsure.
"""


class _Reader(HTMLParser):
    """The text of some HTML as a screen reader meets it, and its tags (to check they nest)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing it opened"

    def handle_data(self, data):
        self.text.append(data)


def read(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    assert reader.open == []
    return " ".join("".join(reader.text).split())


def test_an_inserted_paragraph_is_marked_added():
    after = BEFORE.replace("Ask the privacy", "Log each disclosure.\n\nAsk the privacy")
    result = redline(BEFORE, after)
    assert result.changed == 1 and result.summary == "1 paragraph changed"
    assert ('<div class="redline-block redline-added"><ins><span class="redline-hidden"> added: </span>'
            "Log each disclosure.</ins></div>") in result.html
    assert "<del" not in result.html
    assert "added: Log each disclosure." in read(result.html)


def test_a_deleted_paragraph_is_marked_removed():
    after = BEFORE.replace("Share with a payer only what the claim needs.\n\n", "")
    result = redline(BEFORE, after)
    assert result.changed == 1
    assert "<del><span class=\"redline-hidden\"> removed: </span>Share with a payer only what the claim needs.</del>" \
        in result.html
    assert "<ins" not in result.html


def test_a_changed_paragraph_is_marked_word_by_word():
    after = BEFORE.replace("a payer only", "a payer or vendor only")
    result = redline(BEFORE, after)
    assert result.summary == "1 paragraph changed"
    assert 'class="redline-block redline-changed"' in result.html
    spoken = read(result.html)
    assert "Share with a payer added: or vendor only what the claim needs." in spoken
    assert "removed:" not in spoken  # nothing was taken out


def test_a_changed_word_reads_as_removed_then_added():
    result = redline("Keep it for six years.", "Keep it for seven years.")
    assert read(result.html) == "Keep it for removed: six added: seven years."


def test_changes_a_space_apart_read_as_one():
    result = redline("Call the privacy officer today.", "Email the security team today.")
    assert read(result.html) == "removed: Call the privacy officer added: Email the security team today."
    # Two words or more in common stay between the changes.
    apart = redline("Call the privacy officer today.", "Email the privacy team today.")
    assert read(apart.html) == "removed: Call added: Email the privacy removed: officer added: team today."


def test_an_unrelated_rewrite_shows_the_old_paragraph_and_the_new_one_whole():
    result = redline("Alpha beta gamma delta.", "Completely different words here now.")
    assert result.changed == 1
    assert read(result.html) == "removed: Alpha beta gamma delta. added: Completely different words here now."


def test_several_changes_are_counted_and_far_unchanged_paragraphs_are_summed_up():
    before = "\n\n".join(f"Paragraph {n}." for n in range(1, 11))
    after = before.replace("Paragraph 1.", "Paragraph one.").replace("Paragraph 10.", "Paragraph ten.")
    after += "\n\nParagraph eleven."
    result = redline(before, after)
    assert result.changed == 3 and result.summary == "3 paragraphs changed"
    spoken = read(result.html)
    assert "Paragraph 2." in spoken and "Paragraph 9." in spoken  # beside a change
    assert "Paragraph 5." not in spoken and "6 unchanged paragraphs not shown" in spoken


def test_identical_texts_have_no_change():
    result = redline(BEFORE, BEFORE)
    assert result.changed == 0 and result.summary == "No change to the text"
    assert "<ins" not in result.html and "<del" not in result.html
    assert read(result.html) == "The text did not change."


def test_rewrapped_lines_and_line_endings_are_no_change():
    rewrapped = BEFORE.replace("a payer only what", "a payer only\nwhat").replace("\n", "\r\n")
    assert redline(BEFORE, rewrapped).changed == 0


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</ins></del></div><script>x</script>",
    "&lt;already escaped&gt; & more",
])
def test_any_text_is_escaped(hostile):
    for before, after in ((BEFORE, BEFORE + "\n\n" + hostile), (BEFORE + hostile, BEFORE),
                          (f"Keep {hostile} it", f"Keep it {hostile}!"), (hostile, hostile)):
        result = redline(before, after)
        assert "<script" not in result.html and "<img" not in result.html
        tags = set(re.findall(r"</?([a-z]+)", result.html))
        assert tags <= {"div", "ins", "del", "span", "p"}
        assert hostile.split()[0] in read(result.html) or result.changed == 0


def test_the_escaped_text_reads_back_exactly():
    result = redline("", "Use <b>bold</b> & \"quotes\".")
    assert read(result.html) == 'added: Use <b>bold</b> & "quotes".'


def test_blocks_are_the_paragraphs_between_blank_lines():
    assert blocks("\n\n# Title\nline\n  \nnext\n\n\n") == ["# Title\nline", "next"]
    assert blocks("") == []
