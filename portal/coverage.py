"""Which policies, modules and certification types cite which regulation, and what nothing covers.

Plain data for the coverage page, the tests and the tracker; the reference list of rules ships
with the package (portal/data/regulations.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from portal.model import Catalogue, Citation

OSHA_TITLE = "29 CFR "
OSHA_PARTS = range(1900, 2000)  # 29 CFR chapter XVII (OSHA); other 29 CFR parts belong to other agencies
@cache
def regulations() -> dict:
    """The reference list of HIPAA Security and OSHA rules, and the names of parts, read once."""
    text = resources.files("portal").joinpath("data/regulations.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Citer:
    """One content item citing a rule: kind is 'policy', 'module' or 'certification'."""

    kind: str
    id: str
    title: str
    citation: Citation


@dataclass(frozen=True)
class RuleCoverage:
    rule: str
    name: str
    type: str  # 'standard', 'required', 'addressable' or 'provision'
    citers: tuple[Citer, ...]

    @property
    def covered(self) -> bool:
        return bool(self.citers)

    @property
    def decisions(self) -> tuple[Citer, ...]:
        """Citers that record an addressable-specification decision (45 CFR 164.306(d)(3))."""
        return tuple(c for c in self.citers if c.citation.decision)

    @property
    def needs_decision(self) -> bool:
        """Addressable, cited, yet no citing item says whether or how it is implemented."""
        return self.type == "addressable" and self.covered and not self.decisions


@dataclass(frozen=True)
class StandardCoverage:
    standard: RuleCoverage
    group: str
    specs: tuple[RuleCoverage, ...]

    @property
    def rules(self) -> tuple[RuleCoverage, ...]:
        return (self.standard, *self.specs)


def citers(catalogue: Catalogue) -> list[Citer]:
    """Every citation in the content, with the item that makes it."""
    found: list[Citer] = []
    for kind, items, title in (("policy", catalogue.policies, "title"), ("module", catalogue.modules, "title"),
                               ("certification", catalogue.certifications, "name")):
        for item in items.values():
            found.extend(Citer(kind, item.id, getattr(item, title), c) for c in item.citations)
    return found


def _covering(rule: str, name: str, type_: str, all_citers: list[Citer]) -> RuleCoverage:
    return RuleCoverage(rule, name, type_, tuple(c for c in all_citers if c.citation.covers(rule)))


def hipaa_security_coverage(catalogue: Catalogue) -> list[StandardCoverage]:
    """Each Security Rule standard and its implementation specifications, in reference order.

    An item citing a specification addresses its standard too, even where the CFR numbers the
    specifications apart from the standard (164.312(e)(1) and its (e)(2)(i)).
    """
    all_citers = citers(catalogue)
    coverage = []
    for entry in regulations()["hipaa_security"]:
        specs = tuple(_covering(p["rule"], p["name"], p["type"], all_citers) for p in entry["specs"])
        direct = _covering(entry["rule"], entry["name"], "standard", all_citers)
        via_specs = [c for spec in specs for c in spec.citers if c not in direct.citers]
        standard = RuleCoverage(direct.rule, direct.name, "standard", (*direct.citers, *dict.fromkeys(via_specs)))
        coverage.append(StandardCoverage(standard=standard, group=entry["group"], specs=specs))
    return coverage


def is_statute(rule: str) -> bool:
    """True for a United States Code citation or part ('42 U.S.C. 1320a-7k'), False for the CFR."""
    return " U.S.C. " in rule


def section_of(rule: str) -> str:
    return Citation(rule).section


def part_of(rule: str) -> str:
    return Citation(rule).part


def rule_url(rule: str) -> str:
    return Citation(rule).url


def _is_osha(rule: str) -> bool:
    if not rule.startswith(OSHA_TITLE):
        return False
    part = re.match(r"\d+", part_of(rule).removeprefix(OSHA_TITLE))
    return part is not None and int(part.group()) in OSHA_PARTS


def osha_coverage(catalogue: Catalogue) -> tuple[list[RuleCoverage], list[RuleCoverage]]:
    """The reference OSHA provisions, then every other 29 CFR section the content cites.

    A citation that falls under no reference provision is grouped under its section, so a cited
    rule never goes unlisted.
    """
    all_citers = citers(catalogue)
    reference = [_covering(p["rule"], p["name"], "provision", all_citers) for p in regulations()["osha"]]
    listed = {c for r in reference for c in r.citers}
    others: dict[str, list[Citer]] = {}
    for citer in all_citers:
        if _is_osha(citer.citation.rule) and citer not in listed:
            others.setdefault(citer.citation.section, []).append(citer)
    extra = [RuleCoverage(section, "", "provision", tuple(others[section]))
             for section in sorted(others, key=_section_key)]
    return reference, extra


def _section_key(section: str) -> tuple[int, ...]:
    """'29 CFR 1910.132' sorts before '29 CFR 1910.1030': by number, not by text."""
    return tuple(int(n) for n in re.findall(r"\d+", section))


@dataclass(frozen=True)
class PartCoverage:
    """One CFR part (or one statute section) the content cites outside the reference lists."""

    part: str  # '45 CFR 92', or '42 U.S.C. 1320a-7k'
    name: str  # from regulations.yml 'parts'; '' when the reference has no name for it
    sections: tuple[RuleCoverage, ...]  # one per cited section, with every citer

    @property
    def label(self) -> str:
        return self.part if is_statute(self.part) else self.part.replace(" CFR ", " CFR Part ", 1)


def other_rules(catalogue: Catalogue) -> list[PartCoverage]:
    """Every cited rule that neither the HIPAA Security nor the OSHA tables list, grouped by part.

    Computed from the content's citations, so a new rule shows up as soon as something cites it;
    regulations.yml only supplies the parts' names. CFR parts come first, by title and part number,
    then statutes.
    """
    all_citers = citers(catalogue)
    on_security_table = {c for s in hipaa_security_coverage(catalogue) for r in s.rules for c in r.citers}
    names = regulations().get("parts", {})
    grouped: dict[str, dict[str, list[Citer]]] = {}
    for citer in all_citers:
        rule = citer.citation.rule
        if citer in on_security_table or _is_osha(rule):
            continue
        grouped.setdefault(part_of(rule), {}).setdefault(section_of(rule), []).append(citer)
    parts = []
    for part in sorted(grouped, key=lambda p: (is_statute(p), _section_key(p), p)):
        sections = tuple(RuleCoverage(section, "", "provision", tuple(grouped[part][section]))
                         for section in sorted(grouped[part], key=_section_key))
        parts.append(PartCoverage(part, names.get(part, ""), sections))
    return parts


def gaps(coverage: list[StandardCoverage] | list[RuleCoverage]) -> list[RuleCoverage]:
    """Rules that no content item cites."""
    rules = [r for item in coverage for r in (item.rules if isinstance(item, StandardCoverage) else (item,))]
    return [r for r in rules if not r.covered]
