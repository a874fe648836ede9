"""Build the immutable catalogue from checked documents."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from portal.archive import earlier_bodies
from portal.fingerprint import fingerprint, module_text_fields, policy_text_fields
from portal.model import (
    DAYS_AFTER_HIRE,
    Catalogue,
    Category,
    CertificationType,
    Choice,
    Citation,
    Cooldown,
    Duty,
    Every,
    Location,
    Module,
    Policy,
    Question,
    Revision,
    Role,
    Settings,
)
from portal.office_time import OfficeTime


def build_catalogue(documents: dict) -> Catalogue:
    by_kind: dict[str, list] = {}
    for document in documents.values():
        by_kind.setdefault(document.kind, []).append(document)
    office = by_kind["office"][0].data
    certifications = [c for d in by_kind.get("certifications", []) for c in _certifications(d)]
    archived = earlier_bodies(documents)
    return Catalogue(
        settings=_settings(office),
        locations=_index(Location(**entry) for entry in office["locations"]),
        roles=_index(Role(**entry) for entry in office["roles"]),
        categories=_index(Category(**entry) for entry in office["categories"]),
        policies=_index(_policy(d, archived.get(d.data["id"], ())) for d in by_kind.get("policy", [])),
        modules=_index(_module(d) for d in by_kind.get("module", [])),
        certifications=_index(certifications),
    )


def _index(items) -> MappingProxyType:
    return MappingProxyType({item.id: item for item in sorted(items, key=lambda i: i.id)})


def _settings(office: dict) -> Settings:
    info, defaults = office["office"], office["defaults"]
    return Settings(
        office_name=info["name"],
        logo=info.get("logo"),
        tracker_url=info.get("tracker_url", "http://127.0.0.1:5000").rstrip("/"),
        site_url=info.get("site_url"),
        contact=info.get("contact", ""),
        office_time=OfficeTime(
            timezone=info.get("timezone"), holiday_country=info.get("holidays", {}).get("country"),
            holiday_subdivision=info.get("holidays", {}).get("subdivision"),
            closed_days=tuple(sorted(date.fromisoformat(str(d)) for d in info.get("closed_days", ())))),
        acknowledgement_grace_days=defaults["acknowledgement_grace_days"],
        due_soon_days=defaults["due_soon_days"],
        training_deadline_days=defaults["training_deadline_days"],
        review_warning_days=defaults.get("review_warning_days", 90),
        quiz_cooldown=Cooldown(**defaults.get("quiz_cooldown", {})),
    )


def _citations(entries) -> tuple[Citation, ...]:
    return tuple(Citation(rule=c["rule"], note=c.get("note", ""), decision=c.get("decision"),
                          rationale=c.get("rationale", "")) for c in entries)


def _history(entries) -> tuple[Revision, ...]:
    return tuple(Revision(version=e["version"], date=date.fromisoformat(e["date"]), summary=e["summary"],
                          material_change=e["material_change"], affected_roles=tuple(e.get("affected_roles", ())))
                 for e in entries)


def _policy(document, earlier: tuple[tuple[int, str], ...]) -> Policy:
    data = document.data
    related = data.get("related", {})
    return Policy(
        id=data["id"], title=data["title"], category=data["category"], summary=data["summary"],
        version=data["version"], effective_date=date.fromisoformat(data["effective_date"]),
        owner=data["owner"], review_cycle_months=data["review_cycle_months"],
        next_review=date.fromisoformat(data["next_review"]), applies_to=tuple(data["applies_to"]),
        acknowledgement_required=data["acknowledgement"]["required"],
        grace_days=data["acknowledgement"].get("grace_days"), body=data["body"],
        history=_history(data["history"]), fingerprint=fingerprint(policy_text_fields(data)),
        source=document.path, citations=_citations(data.get("citations", [])),
        related_policies=tuple(related.get("policies", ())), related_modules=tuple(related.get("modules", ())),
        tags=tuple(data.get("tags", ())), locations=tuple(data.get("locations", ())),
        duties=tuple(_duty(d) for d in data.get("duties", ())), earlier_bodies=earlier,
    )


def _duty(data: dict) -> Duty:
    return Duty(id=data["id"], title=data["title"], owner=data["owner"], every=Every(**data["every"]),
                frequency_basis=data["frequency_basis"], evidence=data["evidence"],
                per_location=data.get("per_location", False), citations=_citations(data.get("citations", [])))


def _module(document) -> Module:
    data = document.data
    questions = tuple(
        Question(id=q["id"], type=q["type"], prompt=q["prompt"],
                 choices=tuple(Choice(id=c["id"], text=c["text"]) for c in q["choices"]),
                 answers=frozenset(q["answers"]), explanation=q["explanation"], topic=q.get("topic", ""))
        for q in data["quiz"]["questions"])
    cooldown = data["quiz"].get("cooldown")
    return Module(
        id=data["id"], title=data["title"], version=data["version"],
        effective_date=date.fromisoformat(data["effective_date"]), summary=data["summary"],
        audience=tuple(data["audience"]), deadline_days_after_hire=data.get("deadline_days_after_hire"),
        deadline_counts=data.get("deadline_counts", "calendar_days"), recurrence_months=data["recurrence_months"],
        initial_deadline=data.get("initial_deadline", DAYS_AFTER_HIRE),
        pass_mark=data["pass_mark"], objectives=tuple(data["objectives"]), content=data["content"],
        questions=questions, fingerprint=fingerprint(module_text_fields(data)), source=document.path,
        recurrence_basis=data.get("recurrence_basis", ""), in_person_required=data.get("in_person_required", False),
        related_policies=tuple(data.get("related_policies", ())), citations=_citations(data.get("citations", [])),
        tags=tuple(data.get("tags", ())), history=_history(data.get("history", ())),
        locations=tuple(data.get("locations", ())),
        quiz_draw=data["quiz"].get("draw"), quiz_cooldown=Cooldown(**cooldown) if cooldown else None,
    )


def _certifications(document) -> list[CertificationType]:
    return [
        CertificationType(
            id=c["id"], name=c["name"], kind=c["kind"], issuer=c["issuer"], validity_months=c["validity_months"],
            required_for=tuple(c["required_for"]), renewal=c["renewal"], source=document.path,
            due_soon_days=c.get("due_soon_days"), deadline_days_after_hire=c.get("deadline_days_after_hire"),
            deadline_counts=c.get("deadline_counts", "calendar_days"), validity_note=c.get("validity_note", ""),
            origin=c.get("source", ""), alternative_group=c.get("alternative_group"), citations=_citations(c.get("citations", [])),
            locations=tuple(c.get("locations", ())))
        for c in document.data["certifications"]
    ]
