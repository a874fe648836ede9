"""The starter library validates, cites real rules, and covers the HIPAA Security Rule."""

from __future__ import annotations

import re

import pytest
from content_helpers import shipped_catalogue

from portal.coverage import gaps, hipaa_security_coverage, is_statute, regulations, section_of
from portal.model import CFR_PATTERN

# Sections checked against the eCFR. A citation outside this list fails the test: check the section
# exists (and says what the content claims) before adding it here.
REAL_SECTIONS = {
    "45 CFR 160.103", "45 CFR 149.610", "42 CFR 1001.1901",
    *(f"45 CFR 164.{n}" for n in (
        102, 103, 104, 105, 106, 302, 304, 306, 308, 310, 312, 314, 316, 318, 400, 402, 404, 406, 408, 410,
        412, 414, 500, 501, 502, 504, 506, 508, 510, 512, 514, 520, 522, 524, 526, 528, 530, 532, 534)),
    *(f"29 CFR 1910.{n}" for n in (36, 37, 38, 39, 132, 141, 151, 157, 1020, 1030, 1048, 1200)),
    *(f"29 CFR 1904.{n}" for n in (1, 2, 4, 7, 29, 32, 33, 35, 39, 41)),
    "29 CFR 1903.2", "29 CFR 1910.133", "29 CFR 1910.138",
    *(f"45 CFR 92.{n}" for n in (7, 8, 9, 10, 11, 201, 202, 205)),
    "28 CFR 36.303",
    *(f"42 CFR 493.{n}" for n in (15, 35, 37, 39)),
    "42 CFR 401.305", "42 CFR 1003.200", "8 CFR 274a.2",
    *(f"29 CFR 516.{n}" for n in (2, 5, 6)),
    *(f"29 CFR 785.{n}" for n in (11, 13, 18, 19, 27)),
    "29 CFR 1602.14", "29 CFR 1604.11", "29 CFR 1605.1", "29 CFR 1605.2",
    *(f"45 CFR 171.{n}" for n in (102, 103, 201, 202, 203, 204, 205, 301, 302)),
}
# Statute sections checked against the US Code, as section_of() names them.
REAL_STATUTES = {"42 U.S.C. 1320a-7k", "42 U.S.C. 1320a-7", "42 U.S.C. 300jj-52", "42 U.S.C. 2000e-2",
                 "42 U.S.C. 2000e-3", "8 U.S.C. 1324b", "29 U.S.C. 207", "29 U.S.C. 211", "29 U.S.C. 218d"}

# The HIPAA Security Rule's 18 standards (45 CFR 164.308, 164.310, 164.312) with their implementation
# specifications, R = required and A = addressable (164.306(d)), as checked against the eCFR text.
SECURITY_STANDARDS = {
    "164.308(a)(1)": ("Security management process", [
        ("Risk analysis", "R"), ("Risk management", "R"), ("Sanction policy", "R"),
        ("Information system activity review", "R")]),
    "164.308(a)(2)": ("Assigned security responsibility", []),
    "164.308(a)(3)": ("Workforce security", [
        ("Authorization and/or supervision", "A"), ("Workforce clearance procedure", "A"),
        ("Termination procedures", "A")]),
    "164.308(a)(4)": ("Information access management", [
        ("Isolating health care clearinghouse functions", "R"), ("Access authorization", "A"),
        ("Access establishment and modification", "A")]),
    "164.308(a)(5)": ("Security awareness and training", [
        ("Security reminders", "A"), ("Protection from malicious software", "A"), ("Log-in monitoring", "A"),
        ("Password management", "A")]),
    "164.308(a)(6)": ("Security incident procedures", [("Response and reporting", "R")]),
    "164.308(a)(7)": ("Contingency plan", [
        ("Data backup plan", "R"), ("Disaster recovery plan", "R"), ("Emergency mode operation plan", "R"),
        ("Testing and revision procedures", "A"), ("Applications and data criticality analysis", "A")]),
    "164.308(a)(8)": ("Evaluation", []),
    "164.308(b)(1)": ("Business associate contracts and other arrangements", [
        ("Written contract or other arrangement", "R")]),
    "164.310(a)(1)": ("Facility access controls", [
        ("Contingency operations", "A"), ("Facility security plan", "A"),
        ("Access control and validation procedures", "A"), ("Maintenance records", "A")]),
    "164.310(b)": ("Workstation use", []),
    "164.310(c)": ("Workstation security", []),
    "164.310(d)(1)": ("Device and media controls", [
        ("Disposal", "R"), ("Media re-use", "R"), ("Accountability", "A"), ("Data backup and storage", "A")]),
    "164.312(a)(1)": ("Access control", [
        ("Unique user identification", "R"), ("Emergency access procedure", "R"), ("Automatic logoff", "A"),
        ("Encryption and decryption", "A")]),
    "164.312(b)": ("Audit controls", []),
    "164.312(c)(1)": ("Integrity", [("Mechanism to authenticate electronic PHI", "A")]),
    "164.312(d)": ("Person or entity authentication", []),
    "164.312(e)(1)": ("Transmission security", [("Integrity controls", "A"), ("Encryption", "A")]),
}


@pytest.fixture(scope="module")
def catalogue():
    return shipped_catalogue()


def all_citations(catalogue):
    for items in (catalogue.policies, catalogue.modules, catalogue.certifications):
        for item in items.values():
            for citation in item.citations:
                yield item.id, citation


def test_library_is_complete(catalogue):
    assert len(catalogue.policies) >= 50
    assert {p.category for p in catalogue.policies.values()} == set(catalogue.categories)
    # 12 modules of this library plus the compliance program, information blocking, finance and HR modules
    assert len(catalogue.modules) == 16
    assert len(catalogue.certifications) == 18
    assert catalogue.settings.office_name == "Riverside Family Medicine"
    assert len(catalogue.locations) == 2


def test_every_citation_is_a_real_cfr_section(catalogue):
    unknown = []
    for item_id, citation in all_citations(catalogue):
        assert CFR_PATTERN.match(citation.rule), (item_id, citation.rule)
        known = REAL_STATUTES if is_statute(citation.rule) else REAL_SECTIONS
        if section_of(citation.rule) not in known:
            unknown.append(f"{item_id}: {citation.rule}")
    assert not unknown, "not known sections:\n" + "\n".join(unknown)


def test_reference_list_matches_the_security_standards():
    reference = {}
    for entry in regulations()["hipaa_security"]:
        if entry["rule"].startswith("45 CFR 164.316"):
            continue  # 164.316 is listed on the coverage page but is not one of the 18 standards
        cite = entry["rule"].removeprefix("45 CFR ")
        specs = sorted((_short(s["name"]), "R" if s["type"] == "required" else "A") for s in entry["specs"])
        reference[cite] = (entry["name"], specs)
    expected = {cite: (name, sorted(specs)) for cite, (name, specs) in SECURITY_STANDARDS.items()}
    assert len(expected) == regulations()["hipaa_security_standard_count"] == 18
    assert reference == expected


def _short(name: str) -> str:
    return name.replace("electronic protected health information", "electronic PHI")


def test_every_security_standard_and_specification_is_covered(catalogue):
    coverage = hipaa_security_coverage(catalogue)
    assert len(coverage) == 20  # the 18 standards plus 164.316(a) and (b)(1)
    assert gaps(coverage) == []
    for standard in coverage:
        for spec in standard.specs:
            assert not spec.needs_decision, f"{spec.rule} has no documented decision"


def test_every_role_has_a_new_hire_path(catalogue):
    for role in catalogue.roles.values():
        wanted = catalogue.requirements_for({role.id})
        if role.designation:
            continue  # designations are held on top of a job, which brings its own path
        assert wanted["policies"], role.id
        assert wanted["modules"], role.id
        assert wanted["certifications"], role.id


def test_quizzes_are_substantial(catalogue):
    for module in catalogue.modules.values():
        assert 8 <= len(module.questions) <= 15, module.id
        assert module.pass_mark == 80, module.id
        for question in module.questions:
            assert len(question.explanation) > 20, (module.id, question.id)


def test_recurrence_is_the_rule_for_bbp_and_a_setting_for_hipaa(catalogue):
    bbp = catalogue.modules["osha-bloodborne-pathogens"]
    assert bbp.recurrence_months == 12 and bbp.in_person_required
    assert "1910.1030(g)(2)" in bbp.recurrence_basis
    for module_id in ("hipaa-privacy-essentials", "hipaa-security-awareness"):
        assert re.search(r"setting", catalogue.modules[module_id].recurrence_basis, re.I), module_id


def test_hepatitis_b_is_one_time_within_ten_working_days(catalogue):
    hep_b = catalogue.certifications["hepatitis-b-vaccination"]
    assert hep_b.validity_months is None
    assert (hep_b.deadline_days_after_hire, hep_b.deadline_counts) == (10, "working_days")
