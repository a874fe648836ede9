"""The served catalogue in the JSON API: roles, locations, certification types, policies and modules."""

from __future__ import annotations

from flask import jsonify

from tracker.api.base import bp
from tracker.services import served_catalogue


@bp.get("/catalogue")
def catalogue():
    found = served_catalogue.required()
    return jsonify({
        "roles": [{"id": r.id, "title": r.title, "designation": r.designation} for r in found.roles.values()],
        "locations": [{"id": loc.id, "name": loc.name} for loc in found.locations.values()],
        "certifications": [{"id": c.id, "name": c.name, "kind": c.kind, "validity_months": c.validity_months,
                            "required_for": list(c.required_for), "requirement_id": c.requirement_id}
                           for c in found.certifications.values()],
        "policies": [{"id": p.id, "title": p.title, "version": p.version, "fingerprint": p.fingerprint,
                      "effective_date": p.effective_date.isoformat(), "applies_to": list(p.applies_to),
                      "locations": list(p.locations), "acknowledgement_required": p.acknowledgement_required}
                     for p in found.policies.values()],
        "modules": [{"id": m.id, "title": m.title, "version": m.version, "fingerprint": m.fingerprint,
                     "effective_date": m.effective_date.isoformat(), "audience": list(m.audience),
                     "locations": list(m.locations), "recurrence_months": m.recurrence_months}
                    for m in found.modules.values()],
    })
