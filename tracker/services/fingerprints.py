"""The fields a content version's fingerprint is computed from, kept with the archived version so
that anyone can recompute the fingerprint (portal.fingerprint; ``portal fingerprint FILE``).

The catalogue holds the parsed content, not the YAML it came from, so the fields are rebuilt from it
and kept only when they give the version's fingerprint back: a fingerprint is never vouched for by
fields that do not produce it.
"""

from __future__ import annotations

from typing import Any

from portal.fingerprint import fingerprint
from portal.model import Module, Policy, Question


def _questions(questions: tuple[Question, ...], sort_answers: bool) -> list[dict[str, Any]]:
    def answers(question: Question) -> list[str]:
        in_choice_order = [choice.id for choice in question.choices if choice.id in question.answers]
        return sorted(question.answers) if sort_answers else in_choice_order

    return [{"id": q.id, "type": q.type, "prompt": q.prompt,
             "choices": [{"id": c.id, "text": c.text} for c in q.choices], "answers": answers(q),
             "explanation": q.explanation} for q in questions]


def _candidates(item: Policy | Module) -> list[dict[str, Any]]:
    common = {"id": item.id, "version": item.version, "title": item.title, "summary": item.summary}
    if isinstance(item, Policy):
        return [{"kind": "policy", **common, "effective_date": item.effective_date.isoformat(), "body": item.body,
                 "citations": [{"rule": c.rule, "note": c.note} for c in item.citations]}]
    module = {"kind": "module", **common, "objectives": list(item.objectives), "content": item.content,
              "pass_mark": item.pass_mark}
    # The YAML's order of a question's answers is not kept; the choices' order is the usual one.
    return [{**module, "quiz": {"questions": _questions(item.questions, sort_answers)}}
            for sort_answers in (False, True)]


def text_fields(item: Policy | Module) -> dict[str, Any] | None:
    """The fields ``item.fingerprint`` is the fingerprint of, or None if they cannot be rebuilt."""
    return next((fields for fields in _candidates(item) if fingerprint(fields) == item.fingerprint), None)
