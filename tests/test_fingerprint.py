"""Fingerprints survive YAML reformatting and change with any change of wording."""

from __future__ import annotations

import pytest
from content_helpers import copy_fixture, edit

from portal.loader import load_catalogue

ACCESS = "policies/privacy/access.yml"
MODULE = "training/privacy-basics.yml"


def fingerprints(root):
    catalogue = load_catalogue(root)
    return catalogue.policies["access"].fingerprint, catalogue.modules["privacy-basics"].fingerprint


@pytest.fixture
def root(tmp_path):
    return copy_fixture(tmp_path)


def test_fingerprint_is_sha256_hex(root):
    policy, module = fingerprints(root)
    assert len(policy) == 64 and int(policy, 16) >= 0
    assert policy != module


@pytest.mark.parametrize(("rel", "old", "new"), [
    # key order
    (ACCESS, "id: access\ntitle: Patient access to records\n", "title: Patient access to records\nid: access\n"),
    # quoting style
    (ACCESS, "title: Patient access to records", "title: 'Patient access to records'"),
    (ACCESS, "title: Patient access to records", 'title: "Patient access to records"'),
    # line wrapping of the same plain scalar
    (ACCESS, "summary: How patients get copies of their records.", "summary: How patients get\n  copies of their records."),
    # folded block with the same value
    (ACCESS, "summary: How patients get copies of their records.", "summary: >-\n  How patients get copies\n  of their records."),
    # trailing spaces and CRLF-free edits that do not change the words
    (ACCESS, "  Give patients their records on time.", "  Give patients their records on time.   "),
    # fields outside the signed text
    (ACCESS, "tags: [privacy]", "tags: [privacy, records]"),
    (ACCESS, "next_review: 2027-01-15", "next_review: 2027-06-15"),
    (ACCESS, "owner: manager", "owner: desk"),
    (MODULE, "audience: [all]", "audience: [desk]"),
    (MODULE, "- {id: b, text: Opening hours}", "- id: b\n          text: Opening hours"),
])
def test_reformatting_keeps_the_fingerprint(root, rel, old, new):
    before = fingerprints(root)
    edit(root, rel, old, new)
    assert fingerprints(root) == before


@pytest.mark.parametrize(("rel", "old", "new", "index"), [
    (ACCESS, "Send the copy within 30 days.", "Send the copy within 60 days.", 0),
    (ACCESS, "title: Patient access to records", "title: Patient access to medical records", 0),
    (ACCESS, "note: Act within 30 days.", "note: Act within 31 days.", 0),
    (ACCESS, "1. Log the request.", "1. Log the request in the register.", 0),
    (ACCESS, "summary: How patients get copies of their records.", "summary: How patients get copies of records.", 0),
    (MODULE, "answers: [a]", "answers: [b]", 1),
    (MODULE, "pass_mark: 80", "pass_mark: 90", 1),
    (MODULE, "Health information that identifies a person.", "Health data that identifies a person.", 1),
    (MODULE, "explanation: Only those who need it.", "explanation: Only those who need to know.", 1),
])
def test_any_change_of_wording_changes_the_fingerprint(root, rel, old, new, index):
    before = fingerprints(root)[index]
    edit(root, rel, old, new)
    assert fingerprints(root)[index] != before
