"""The catalogue is one immutable object with what the site and the tracker need."""

from __future__ import annotations

import ast
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from content_helpers import FIXTURE

from portal.loader import load_catalogue
from portal.model import Citation
from portal.problems import ContentError


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(FIXTURE)


def test_catalogue_holds_every_kind(catalogue):
    assert set(catalogue.policies) == {"access", "sanctions"}
    assert set(catalogue.modules) == {"privacy-basics"}
    assert set(catalogue.certifications) == {"bls", "hep-b"}
    assert set(catalogue.roles) == {"manager", "desk", "nurse"}
    assert catalogue.settings.office_name == "Test Practice"
    assert catalogue.settings.acknowledgement_grace_days == 14
    access = catalogue.policies["access"]
    assert access.effective_date == date(2026, 1, 15)
    assert access.grace_days == 7
    assert access.history[0].material_change is True


def test_catalogue_cannot_be_changed(catalogue):
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue.settings = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue.policies["access"].version = 9
    with pytest.raises(TypeError):
        catalogue.policies["new"] = catalogue.policies["access"]


def test_last_material_version_skips_minor_changes(catalogue):
    # access v2 was a typo fix: v1 acknowledgements still count
    assert catalogue.policies["access"].last_material_version({"desk"}) == 1
    assert catalogue.policies["sanctions"].last_material_version({"desk"}) == 1


def test_requirements_follow_roles_and_locations(catalogue):
    nurse_main = catalogue.requirements_for({"nurse"}, "main")
    nurse_annex = catalogue.requirements_for({"nurse"}, "annex")
    assert {c.id for c in nurse_main["certifications"]} == {"bls", "hep-b"}
    assert {c.id for c in nurse_annex["certifications"]} == {"bls"}
    assert {p.id for p in catalogue.requirements_for({"desk"})["policies"]} == {"access", "sanctions"}
    assert {p.id for p in nurse_main["policies"]} == {"sanctions"}


def test_citation_links_to_its_ecfr_paragraph():
    citation = Citation(rule="29 CFR 1910.1030(g)(2)(vii)")
    assert citation.section == "29 CFR 1910.1030"
    assert citation.paragraphs == ("g", "2", "vii")
    assert citation.url == "https://www.ecfr.gov/current/title-29/section-1910.1030#p-1910.1030(g)(2)(vii)"
    assert Citation(rule="45 CFR 164.530").url.endswith("section-164.530")
    assert citation.covers("29 CFR 1910.1030(g)(2)") is True
    assert citation.covers("29 CFR 1910.1030(g)") is True
    assert citation.covers("29 CFR 1910.1030(g)(2)(vii)(N)") is False
    assert citation.covers("29 CFR 1910.1030(h)") is False
    assert Citation(rule="29 CFR 1910.10300").covers("29 CFR 1910.1030") is False


def test_load_catalogue_raises_with_every_problem(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "training").mkdir()
    with pytest.raises(ContentError) as raised:
        load_catalogue(tmp_path)
    assert "policies/office.yml:1:1: file not found" in str(raised.value)


def test_portal_never_imports_tracker():
    for file in Path(__file__).parents[1].joinpath("portal").rglob("*.py"):
        tree = ast.parse(file.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "tracker" or n.startswith("tracker.") for n in names), file
