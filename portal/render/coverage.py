"""The regulation coverage page: which content cites each HIPAA Security and OSHA rule, the gaps,
and every other rule the content cites, grouped by part."""

from __future__ import annotations

from collections.abc import Sequence

from portal.coverage import (
    Citer,
    PartCoverage,
    RuleCoverage,
    StandardCoverage,
    gaps,
    hipaa_security_coverage,
    osha_coverage,
    other_rules,
    rule_url,
)
from portal.model import Catalogue
from portal.render.common import (
    CERTIFICATIONS_PAGE,
    COVERAGE_PAGE,
    DECISIONS,
    front_matter,
    link,
    module_page,
    policy_page,
    table,
    text,
    url_link,
)

PAGE = COVERAGE_PAGE
HIPAA_PREFIX = "45 CFR "
TYPES = {"standard": "Standard", "required": "Required", "addressable": "Addressable", "provision": "Provision"}


def _item_link(catalogue: Catalogue, citer: Citer) -> str:
    if citer.kind == "policy":
        return link(citer.title, PAGE, policy_page(catalogue.policies[citer.id]))
    if citer.kind == "module":
        return link(citer.title, PAGE, module_page(catalogue.modules[citer.id]))
    return link(citer.title, PAGE, CERTIFICATIONS_PAGE, anchor=citer.id)


def _rule_link(rule: str, prefix: str = "") -> str:
    """The rule linked to its official text; `prefix` ('45 CFR ') is left out of the label where a heading says it."""
    return url_link(rule.removeprefix(prefix), rule_url(rule))


def _covered_by(catalogue: Catalogue, rule: RuleCoverage) -> str:
    if not rule.covered:
        return "**Not covered**"
    unique = {(c.kind, c.id): c for c in rule.citers}
    return "<br>".join(_item_link(catalogue, c) for c in unique.values())


def _decision(rule: RuleCoverage) -> str:
    """Decisions recorded for a specification; a standard's row leaves them to its specifications."""
    if rule.type == "standard":
        return ""
    if rule.needs_decision:
        return "**No decision recorded**"
    notes: dict[str, None] = {}
    for citer in rule.decisions:
        note = f"{DECISIONS[citer.citation.decision or '']} ({text(citer.title)})"
        if citer.citation.rationale:
            note += f": {text(citer.citation.rationale)}"
        notes[note] = None  # one item citing a rule twice states its decision once
    return "<br>".join(notes)


def _gap_list(rules: list[RuleCoverage], indent: str = "    ") -> str:
    return "".join(f"{indent}- {_rule_link(r.rule)} {text(r.name)} ({TYPES[r.type].lower()})\n" for r in rules)


def _summary(hipaa: list[StandardCoverage], osha: list[RuleCoverage], others: Sequence[PartCoverage] = ()) -> str:
    safeguards = [s for s in hipaa if s.group != "Policies, procedures and documentation"]
    covered = sum(s.standard.covered for s in safeguards)
    hipaa_gaps, osha_gaps = gaps(hipaa), gaps(osha)
    undecided = [r for s in hipaa for r in s.rules if r.needs_decision]
    share = f"All {len(safeguards)}" if covered == len(safeguards) else f"{covered} of the {len(safeguards)}"
    parts = [f"{share} standards of the HIPAA Security Rule's administrative, physical and technical "
             "safeguards are cited by at least one policy, module or certification. A citation covers a "
             "rule when it names the rule or one of its paragraphs.\n\n"]
    if others:
        sections = sum(len(p.sections) for p in others)
        parts.append(f"The content also cites {sections} other sections in {len(others)} parts or statutes; "
                     "they are listed under [Other rules cited](#other-rules-cited).\n\n")
    if hipaa_gaps or osha_gaps:
        parts.append('!!! danger "Not covered"\n    Nothing in the content cites these rules yet.\n\n')
        if hipaa_gaps:
            parts += ["    **HIPAA Security Rule**\n\n", _gap_list(hipaa_gaps), "\n"]
        if osha_gaps:
            parts += ["    **OSHA**\n\n", _gap_list(osha_gaps), "\n"]
    else:
        parts.append('!!! success "Every listed rule is cited"\n    No gaps against the reference list.\n\n')
    if undecided:
        parts += ['!!! warning "Addressable specifications without a recorded decision"\n',
                  "    Record for each whether it is implemented, met by an equivalent alternative, or not "
                  "reasonable and appropriate, with the reason (45 CFR 164.306(d)(3)).\n\n",
                  _gap_list(undecided), "\n"]
    return "".join(parts)


def _hipaa_tables(catalogue: Catalogue, hipaa: list[StandardCoverage]) -> str:
    parts = ["## HIPAA Security Rule\n\n",
             "Standards and their implementation specifications in 45 CFR Part 164, Subpart C. An "
             "addressable specification needs a recorded decision: implemented, met by an equivalent "
             "alternative, or not reasonable and appropriate, with the reason.\n\n"]
    groups: dict[str, list[StandardCoverage]] = {}
    for standard in hipaa:
        groups.setdefault(standard.group, []).append(standard)
    for group, standards in groups.items():
        rows = []
        for standard in standards:
            for rule in standard.rules:
                name = f"**{text(rule.name)}**" if rule.type == "standard" else text(rule.name)
                rows.append([_rule_link(rule.rule, HIPAA_PREFIX), f"{name} ({TYPES[rule.type].lower()})",
                             _covered_by(catalogue, rule), _decision(rule)])
        parts += [f"### {text(group)}\n\n",
                  table(["45 CFR", "Standard or specification", "Covered by", "Decision"], rows), "\n"]
    return "".join(parts)


def _osha_tables(catalogue: Catalogue, reference: list[RuleCoverage], extra: list[RuleCoverage]) -> str:
    rows = [[_rule_link(r.rule), text(r.name), _covered_by(catalogue, r)] for r in reference]
    parts = ["## OSHA\n\n### Provisions a medical office commonly has to meet\n\n",
             table(["Rule", "Provision", "Covered by"], rows), "\n"]
    if extra:
        parts += ["### Other OSHA rules the content cites\n\n",
                  "Sections, or paragraphs of the sections above, that are not in the reference list.\n\n",
                  table(["Section", "Cited as", "Cited by"],
                        [[_rule_link(r.rule), "<br>".join(sorted({text(c.citation.rule) for c in r.citers})),
                          _covered_by(catalogue, r)] for r in extra]), "\n"]
    return "".join(parts)


def _other_tables(catalogue: Catalogue, parts: list[PartCoverage]) -> str:
    if not parts:
        return ""
    out = ["## Other rules cited\n\n",
           "Every other regulation or statute the policies, modules and certification types cite, grouped by "
           "CFR title and part (statutes last). Computed from the citations themselves: anything newly cited "
           "appears here.\n\n"]
    for part in parts:
        heading = f"{part.label}: {part.name}" if part.name else part.label
        rows = [[_rule_link(r.rule), "<br>".join(sorted({text(c.citation.rule) for c in r.citers})),
                 _covered_by(catalogue, r)] for r in part.sections]
        out += [f"### {text(heading)}\n\n", table(["Section", "Cited as", "Cited by"], rows), "\n"]
    return "".join(out)


def render_coverage(catalogue: Catalogue) -> dict[str, str]:
    hipaa = hipaa_security_coverage(catalogue)
    reference, extra = osha_coverage(catalogue)
    others = other_rules(catalogue)
    markdown = (front_matter("Regulation coverage") + "# Regulation coverage\n\n"
                + _summary(hipaa, reference, others) + _hipaa_tables(catalogue, hipaa)
                + _osha_tables(catalogue, reference, extra) + _other_tables(catalogue, others))
    return {PAGE: markdown}
