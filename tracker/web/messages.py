"""A use case's message about a field, as sentences shown beside that field on a form.

The use cases name fields as the API and CSV files do ("held_on is missing (write it as YYYY-MM-DD)");
the API keeps those in its ``details``. Beside a form's field the name says nothing, so it becomes
"this", or the value it is about, and other fields are named by their labels: "This is missing.
Write it as YYYY-MM-DD."
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm

from tracker.services.validation import Invalid

# "what is wrong (what to do)": the services' form of a message.
_PROBLEM_AND_ADVICE = re.compile(r"(?P<what>.*?)(?: \((?P<advice>[^()]*)\))?", re.S)
# A value the message is about, right after the field's name: '2026-02-30', 2027-01-05, 'x@y'.
_VALUE = re.compile(r"'[^']*'|\S*\d\S*")


def _label(field) -> str:
    return field.label.text.replace("(optional)", "").strip().rstrip("?:").lower()


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def as_sentences(what: str, advice: str | None = None) -> str:
    """"what is wrong" and "what to do" as one or two sentences."""
    return " ".join(s for s in (_sentence(what), _sentence(advice or "")) if s)


def split(message: str) -> tuple[str, str | None]:
    """A use case's "what is wrong (what to do)" as its two parts."""
    match = _PROBLEM_AND_ADVICE.fullmatch(message)
    return (match["what"], match["advice"]) if match else (message, None)


def in_words(form: FlaskForm, name: str, message: str) -> str:
    """``message`` about the field ``name`` of ``form``, in sentences without field names."""
    what, advice = split(message)
    if what.startswith(f"{name} "):
        rest = what[len(name) + 1:]
        what = rest if _VALUE.match(rest) else f"this {rest}"
    for field in form:
        if field.name != name:
            what = re.sub(rf"\b{re.escape(field.name)}\b", _label(field), what)
    return as_sentences(what, advice)


def show_errors(form: FlaskForm, invalid: Invalid) -> None:
    """Each of the use case's messages beside its field, in words."""
    for name, message in invalid.errors.items():
        form[name].errors.append(in_words(form, name, message))
