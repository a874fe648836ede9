"""Every validation rule reports a planted error with the right file, line and advice."""

from __future__ import annotations

import pytest
from content_helpers import copy_fixture, edit, line_of

from portal.loader import check

ACCESS = "policies/privacy/access.yml"
SANCTIONS = "policies/privacy/sanctions.yml"
MODULE = "training/privacy-basics.yml"
CERTS = "training/certifications.yml"
OFFICE = "policies/office.yml"

# (name, file, old text, new text, text on the reported line, words in the message)
PLANTED = [
    ("yaml syntax", ACCESS, "title: Patient access to records", "title: [unclosed\nsummary2: x", "summary2", "YAML syntax error"),
    ("unknown field", ACCESS, "tags: [privacy]", "tags: [privacy]\ncolour: red", "colour: red", "unknown field 'colour'"),
    ("misspelt field", ACCESS, "tags: [privacy]", "tgas: [privacy]", "tgas:", "did you mean 'tags'"),
    ("wrong type", ACCESS, "version: 2", "version: two", "version: two", "must be a whole number"),
    ("impossible date", ACCESS, "effective_date: 2026-01-15", "effective_date: 2026-02-30", "effective_date:", "not in the expected form"),
    ("date form", ACCESS, "next_review: 2027-01-15", "next_review: 15/01/2027", "next_review:", "YYYY-MM-DD"),
    ("pass mark too high", MODULE, "pass_mark: 80", "pass_mark: 101", "pass_mark:", "maximum of 100"),
    ("days after hire with initial assignment", MODULE, "pass_mark: 80", "pass_mark: 80\ninitial_deadline: at_initial_assignment\ndeadline_days_after_hire: 10", "deadline_days_after_hire: 10", "does not apply to a module due at initial assignment"),
    ("pass mark zero", MODULE, "pass_mark: 80", "pass_mark: 0", "pass_mark:", "minimum of 1"),
    ("citation pattern", ACCESS, "rule: 45 CFR 164.524(b)(2)", "rule: HIPAA 164.524", "HIPAA 164.524", "not in the expected form"),
    ("citation range", ACCESS, "rule: 45 CFR 164.524(b)(2)", "rule: 45 CFR 164.524(a)-(c)", "164.524(a)-(c)", "45 CFR 164.530(b)(1)"),
    ("unknown owner role", ACCESS, "owner: manager", "owner: boss", "owner: boss", "unknown role 'boss'"),
    ("unknown applies_to role", ACCESS, "applies_to: [desk, manager]", "applies_to: [desk, nobody]", "applies_to:", "unknown role 'nobody'"),
    ("all with roles", SANCTIONS, "applies_to: [all]", "applies_to: [all, desk]", "applies_to:", "'all' is listed together"),
    ("unknown audience", MODULE, "audience: [all]", "audience: [janitor]", "audience:", "unknown role 'janitor'"),
    ("unknown certification role", CERTS, "required_for: [nurse]\n    renewal: Take", "required_for: [surgeon]\n    renewal: Take", "surgeon", "unknown role 'surgeon'"),
    ("unknown location", CERTS, "locations: [main]", "locations: [mars]", "locations: [mars]", "unknown location 'mars'"),
    ("unknown related policy", ACCESS, "policies: [sanctions]", "policies: [sanctionz]", "policies: [sanctionz]", "related policy 'sanctionz' does not exist"),
    ("unknown related module", ACCESS, "modules: [privacy-basics]", "modules: [privacy-advanced]", "privacy-advanced", "related training module 'privacy-advanced'"),
    ("module related policy", MODULE, "related_policies: [access]", "related_policies: [acces]", "related_policies:", "related policy 'acces'"),
    ("current version not in history", ACCESS, "version: 2\neffective_date", "version: 3\neffective_date", "version: 3", "version 3 has no entry in history"),
    ("history out of order", ACCESS, "  - version: 2\n    date: 2026-01-15", "  - version: 1  # moved\n    date: 2026-01-15", "# moved", "does not follow version 1"),
    ("history newer than current", SANCTIONS, "    summary: First version.", "    summary: First version.\n  - version: 2\n    date: 2026-02-01\n    summary: Later.\n    material_change: false", "  - version: 2", "newer than the current version"),
    ("next review before effective date", ACCESS, "next_review: 2027-01-15", "next_review: 2025-12-01", "next_review:", "is not after the effective date"),
    ("id does not match file", ACCESS, "id: access", "id: access-policy", "id: access-policy", "does not match the file name"),
    ("category does not match folder", ACCESS, "category: privacy", "category: safety", "category: safety", "does not match the folder"),
    ("answer not a choice", MODULE, "answers: [a]", "answers: [z]", "answers: [z]", "answer 'z' is not one of the choices"),
    ("single with two answers", MODULE, "answers: [a]", "answers: [a, b]", "- id: phi", "is single but has 2 answers"),
    ("true_false with other choices", MODULE, '{id: "true", text: "True"}', '{id: "yes", text: "Yes"}', "- id: share", "not exactly 'true' and 'false'"),
    ("multiple with two choices", MODULE, "        - {id: c, text: Private office}\n      answers: [a, c]", "      answers: [a]", "- id: where", "fewer than 3 choices"),
    ("every choice correct", MODULE, "answers: [a, c]", "answers: [a, b, c]", "- id: where", "marks every choice correct"),
    ("duplicate choice id", MODULE, "{id: c, text: Private office}", "{id: a, text: Private office}", "Private office", "choice id 'a' appears twice"),
    ("duplicate question id", MODULE, "- id: share", "- id: phi  # again", "# again", "question id 'phi' appears twice"),
    ("decision without rationale", SANCTIONS, "    rationale: Screens lock after 5 minutes instead of logging off.\n", "", "decision: alternative", "has no rationale"),
    ("duplicate role id", OFFICE, "- id: desk", "- id: nurse", "- id: nurse\n", "role id 'nurse' is used more than once"),
    ("list nested too shallow", ACCESS, "  2. Send the copy within 30 days.", "  2. Send the copy within 30 days.\n     - by post", "- by post", "will not nest"),
    ("missing required field", ACCESS, "summary: How patients get copies of their records.\n", "", "id: access", "missing required field 'summary'"),
]


@pytest.mark.parametrize(("name", "rel", "old", "new", "marker", "words"), PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_error_is_reported_at_its_line(tmp_path, name, rel, old, new, marker, words):
    root = copy_fixture(tmp_path)
    edit(root, rel, old, new)
    report = check(root)
    assert not report.ok
    expected_line = line_of(root, rel, marker.rstrip("\n"))
    matching = [p for p in report.problems if p.path == rel and words in str(p)]
    assert matching, f"no problem with {words!r}; got:\n" + "\n".join(map(str, report.problems))
    assert any(p.line == expected_line for p in matching), [str(p) for p in matching]
    assert all(p.hint for p in matching), "every problem says what to do"


def test_valid_fixture_has_no_problems(tmp_path):
    report = check(copy_fixture(tmp_path))
    assert report.ok, [str(p) for p in report.problems]
    assert report.files == 5


def test_duplicate_id_across_kinds_names_both_files(tmp_path):
    root = copy_fixture(tmp_path)
    edit(root, CERTS, "- id: bls", "- id: access")
    problems = [p for p in check(root).problems if "also used by" in p.message]
    assert {(p.path, p.line) for p in problems} == {(ACCESS, 1), (CERTS, line_of(root, CERTS, "- id: access"))}


def test_every_problem_is_reported_in_one_run(tmp_path):
    root = copy_fixture(tmp_path)
    edit(root, ACCESS, "owner: manager", "owner: boss")
    edit(root, MODULE, "pass_mark: 80", "pass_mark: 500")
    edit(root, MODULE, "answers: [a]", "answers: [z]")  # a rule still runs on a schema-invalid file
    edit(root, CERTS, "validity_months: 24", "validity_months: lots")
    (root / "policies/privacy/broken.yml").write_text("id: [", "utf-8")
    paths = {p.path for p in check(root).problems}
    assert paths == {ACCESS, MODULE, CERTS, "policies/privacy/broken.yml"}
    messages = " ".join(p.message for p in check(root).problems)
    assert "answer 'z'" in messages and "pass_mark" in messages


@pytest.mark.parametrize(("rel", "content", "words"), [
    ("policies/privacy/empty.yml", "", "file is empty"),
    ("policies/privacy/latin1.yml", b"id: caf\xe9\n", "not valid UTF-8"),
    ("policies/stray.yml", "id: x\n", "not where content files go"),
    ("policies/privacy/deep/x.yml", "id: x\n", "not where content files go"),
    ("training/old.yaml", "id: x\n", "must end in .yml"),
    ("policies/privacy/two.yml", "id: a\n---\nid: b\n", "YAML syntax error"),
])
def test_bad_files_are_reported_not_raised(tmp_path, rel, content, words):
    root = copy_fixture(tmp_path)
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, "utf-8")
    problems = [p for p in check(root).problems if p.path == rel]
    assert problems and words in problems[0].message, [str(p) for p in check(root).problems]


def test_missing_office_file_and_folders(tmp_path):
    root = copy_fixture(tmp_path)
    (root / OFFICE).unlink()
    assert any(p.path == OFFICE and "not found" in p.message for p in check(root).problems)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert {p.path for p in check(empty).problems} == {"policies", "training"}


def test_problem_format_is_path_line_column_message_hint(tmp_path):
    root = copy_fixture(tmp_path)
    edit(root, ACCESS, "owner: manager", "owner: boss")
    problem = next(p for p in check(root).problems if "boss" in p.message)
    assert str(problem) == f"{ACCESS}:{problem.line}:8: unknown role 'boss' ({problem.hint})"
    assert problem.hint.startswith("use a role id from policies/office.yml")
