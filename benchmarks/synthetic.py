"""Synthetic content of any size, for benchmarks: N policies in C categories, with modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

LOREM = (
    "Staff verify the patient's identity with two identifiers before sharing any information. "
    "The front desk records each request in the practice-management system and tells the privacy "
    "officer the same day when something looks wrong. "
)


def write_content(root: Path, policies: int, categories: int = 20, modules: int = 10, staff_roles: int = 6) -> Path:
    """Write a complete, valid content tree under root and return root."""
    if root.exists():
        shutil.rmtree(root)
    (root / "training").mkdir(parents=True)
    roles = [f"role-{n}" for n in range(staff_roles)]
    cats = [f"category-{n:02d}" for n in range(categories)]
    office = {
        "office": {"name": "Synthetic Health", "tracker_url": "http://127.0.0.1:5000"},
        "locations": [{"id": "main", "name": "Main"}, {"id": "north", "name": "North"}],
        "roles": [{"id": r, "title": r.title(), "description": f"Role {r}"} for r in roles],
        "categories": [{"id": c, "title": c.replace("-", " ").title()} for c in cats],
        "defaults": {"acknowledgement_grace_days": 14, "due_soon_days": 30, "training_deadline_days": 30},
    }
    (root / "policies").mkdir()
    (root / "policies" / "office.yml").write_text(yaml.safe_dump(office, sort_keys=False), "utf-8")
    for n in range(policies):
        category = cats[n % categories]
        folder = root / "policies" / category
        folder.mkdir(exist_ok=True)
        (folder / f"policy-{n:05d}.yml").write_text(yaml.safe_dump(_policy(n, category, roles), sort_keys=False), "utf-8")
    for n in range(modules):
        (root / "training" / f"module-{n:03d}.yml").write_text(yaml.safe_dump(_module(n, roles), sort_keys=False), "utf-8")
    certs = {"certifications": [{
        "id": "bls", "name": "BLS", "kind": "certification", "issuer": "AHA", "validity_months": 24,
        "required_for": roles[:2], "renewal": "Take a renewal course."}]}
    (root / "training" / "certifications.yml").write_text(yaml.safe_dump(certs, sort_keys=False), "utf-8")
    return root


def _policy(n: int, category: str, roles: list[str]) -> dict:
    body = "\n\n".join([
        "## Purpose", LOREM * 3, "## Scope", LOREM * 2, "## Procedure",
        "\n".join(f"{step}. {LOREM.split('. ')[step % 3]}." for step in range(1, 9)),
        "## Responsibilities", f"- **{roles[n % len(roles)]}**: {LOREM}",
    ])
    return {
        "id": f"policy-{n:05d}", "title": f"Synthetic policy {n} on records handling", "category": category,
        "summary": LOREM.split(". ")[0] + ".", "version": 2, "effective_date": "2026-01-15", "owner": roles[0],
        "review_cycle_months": 12, "next_review": "2027-01-15", "applies_to": [roles[n % len(roles)]],
        "acknowledgement": {"required": True},
        "citations": [{"rule": "45 CFR 164.530(b)(1)", "note": "Training."}, {"rule": "45 CFR 164.308(a)(5)(ii)(A)"}],
        "body": body, "tags": ["synthetic", category],
        "history": [
            {"version": 1, "date": "2025-01-15", "summary": "First version.", "material_change": True},
            {"version": 2, "date": "2026-01-15", "summary": "Clarified step 3.", "material_change": False},
        ],
    }


def _module(n: int, roles: list[str]) -> dict:
    return {
        "id": f"module-{n:03d}", "title": f"Synthetic module {n}", "version": 1, "effective_date": "2026-01-15",
        "summary": "A synthetic module.", "audience": ["all"], "recurrence_months": 12, "pass_mark": 80,
        "objectives": ["Know the procedure."], "content": "## Content\n\n" + LOREM * 10,
        "quiz": {"questions": [{
            "id": f"q{q}", "type": "single", "prompt": f"Question {q}?",
            "choices": [{"id": "a", "text": "Right"}, {"id": "b", "text": "Wrong"}],
            "answers": ["a"], "explanation": "Because."} for q in range(10)]},
        "history": [{"version": 1, "date": "2026-01-15", "summary": "First.", "material_change": True}],
    }
