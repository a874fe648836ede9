"""The certifications page: every credential type, alternatives, and what each role must hold."""

from __future__ import annotations

from portal.model import Catalogue, CertificationType
from portal.render.common import (
    CERTIFICATIONS_PAGE,
    attr,
    citation_lines,
    deadline_text,
    front_matter,
    link,
    location_names,
    meta_panel,
    months_text,
    plural,
    role_page,
    role_titles,
    table,
    text,
)

KINDS = {"certification": "Certification", "licence": "Licence", "vaccination": "Vaccination",
         "screening": "Screening", "check": "Recurring check"}


def certification_deadline(catalogue: Catalogue, cert: CertificationType) -> str:
    return deadline_text(cert.deadline_days(catalogue.settings.training_deadline_days), cert.deadline_counts)


def validity_text(cert: CertificationType) -> str:
    return "Does not expire" if cert.validity_months is None else months_text(cert.validity_months)


def requirement_groups(certs: list[CertificationType]) -> list[list[CertificationType]]:
    """Certification types grouped by what a person must hold: one type, or any one of a group."""
    groups: dict[str, list[CertificationType]] = {}
    for cert in sorted(certs, key=lambda c: c.name):
        groups.setdefault(cert.requirement_id, []).append(cert)
    return list(groups.values())


def requirement_label(group: list[CertificationType], from_page: str) -> str:
    """'[BLS](...)' or 'any one of [CMA](...), [RMA](...), [CCMA](...)', linked to the type."""
    links = [link(c.name, from_page, CERTIFICATIONS_PAGE, anchor=c.id) for c in group]
    return links[0] if len(group) == 1 else "any one of " + ", ".join(links)


def _panel(catalogue: Catalogue, cert: CertificationType) -> str:
    due_soon = catalogue.settings.due_soon_days if cert.due_soon_days is None else cert.due_soon_days
    validity = validity_text(cert) + (f". {cert.validity_note}" if cert.validity_note else "")
    fields = [
        ("Kind", attr(KINDS.get(cert.kind, cert.kind))),
        ("Issuer", attr(cert.issuer)),
        ("Valid for", attr(validity)),
        ("Reminders", f"From {plural(due_soon, 'day')} before expiry" if cert.validity_months else "None needed"),
        ("Required for", attr(role_titles(catalogue, cert.required_for))),
    ]
    if cert.locations:
        fields.append(("Locations", attr(location_names(catalogue, cert.locations))))
    fields.append(("Deadline", attr(certification_deadline(catalogue, cert).capitalize())))
    if cert.origin:
        fields.append(("Source", attr(cert.origin)))
    return meta_panel(fields)


def _type_section(catalogue: Catalogue, cert: CertificationType, group: list[CertificationType]) -> str:
    parts = [f"## {text(cert.name)} {{ #{cert.id} }}\n\n", _panel(catalogue, cert), "\n"]
    if len(group) > 1:
        others = [c for c in group if c is not cert]
        parts.append("Holding any one of " + ", ".join(
            link(c.name, CERTIFICATIONS_PAGE, CERTIFICATIONS_PAGE, anchor=c.id) for c in others)
            + " instead also meets this requirement.\n\n")
    parts += ["**Renewal.** ", cert.renewal.strip(), "\n\n"]
    if cert.citations:
        parts += ["**Regulations.**\n\n", citation_lines(cert.citations), "\n"]
    return "".join(parts)


def _role_table(catalogue: Catalogue) -> str:
    rows = []
    for role in catalogue.roles.values():
        groups = requirement_groups([c for c in catalogue.certifications.values() if c.applies_to_roles([role.id])])
        held = "; ".join(
            requirement_label(g, CERTIFICATIONS_PAGE)
            + (f" ({text(location_names(catalogue, g[0].locations))} only)" if g[0].locations else "")
            for g in groups)
        rows.append([link(role.title, CERTIFICATIONS_PAGE, role_page(role.id)), held or "Nothing"])
    return table(["Role", "Must hold"], rows)


def render_certifications(catalogue: Catalogue) -> dict[str, str]:
    certs = list(catalogue.certifications.values())
    groups = requirement_groups(certs)
    alternatives = [g for g in groups if len(g) > 1]
    parts = [front_matter("Certifications"), "# Certifications\n\n",
             "Licences, certifications, vaccinations and recurring checks that staff must hold. "
             "Upload each card or record to the tracker; it reminds you before the expiry date.\n\n",
             "## Who must hold what\n\n", _role_table(catalogue), "\n"]
    if alternatives:
        parts.append("## Alternatives\n\nSome requirements can be met by any one of several credentials:\n\n")
        parts += [f"- {requirement_label(g, CERTIFICATIONS_PAGE)}: holding one is enough.\n" for g in alternatives]
        parts.append("\n")
    by_id = {c.id: g for g in groups for c in g}
    parts += [_type_section(catalogue, c, by_id[c.id]) for c in sorted(certs, key=lambda c: c.name)]
    return {CERTIFICATIONS_PAGE: "".join(parts)}
