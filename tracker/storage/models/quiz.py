"""Quizzes served: the questions one person was shown, in the order shown, before they answered.

An answer sheet is graded only against a quiz served to the person sending it, once (the quiz
attempt names it, uniquely), so answers cannot be posted blind, and a retry gets a fresh draw and
order. Never changed or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.storage.db import JSONType, Model, UTCDateTime, utcnow
from tracker.storage.models.content import ModuleVersion
from tracker.storage.models.people import Staff


class QuizServing(Model):
    """One quiz page (or API start) served to one person: which questions, in which order."""

    __tablename__ = "quiz_servings"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    # [[question id, [choice id, ...]], ...] in the order shown
    layout: Mapped[list[list[Any]]] = mapped_column(JSONType)
    served_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Staff] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()

    @property
    def question_ids(self) -> list[str]:
        return [str(question_id) for question_id, _ in self.layout]
