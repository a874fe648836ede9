"""portal.render: the Markdown of every generated page, checked without building a site."""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import markdown
import pytest
import yaml

from portal.coverage import gaps, hipaa_security_coverage, osha_coverage, regulations
from portal.loader import load_catalogue
from portal.model import Citation
from portal.render import fill_markers, render_site, site_nav
from portal.render.common import text

FIXTURE = Path(__file__).parent / "fixtures" / "site"
TODAY = date(2026, 4, 1)
SAFEGUARDS = ("Administrative safeguards", "Physical safeguards", "Technical safeguards")
LINK = re.compile(r"\]\((<[^>]*>|[^)\s]+)\)")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(FIXTURE)


@pytest.fixture(scope="module")
def pages(catalogue):
    return render_site(catalogue, TODAY)


def html_of(page: str) -> str:
    return markdown.markdown(page, extensions=["tables", "attr_list", "md_in_html", "admonition"])


def test_every_item_has_its_page(catalogue, pages):
    expected = {"policies/index.md", "training/index.md", "roles/index.md", "certifications.md",
                "coverage.md", "review.md", "duties.md"}
    expected |= {f"policies/{c}/index.md" for c in catalogue.categories}
    expected |= {f"policies/{p.category}/{p.id}.md" for p in catalogue.policies.values()}
    expected |= {f"training/{m}.md" for m in catalogue.modules}
    expected |= {f"roles/{r}.md" for r in catalogue.roles}
    assert set(pages) == expected


def test_policy_page_has_front_matter_and_metadata_panel_on_top(catalogue, pages):
    policy = catalogue.policies["fax-handling"]
    page = pages["policies/privacy/fax-handling.md"]
    meta = yaml.safe_load(page.split("---\n")[1])
    assert meta == {"title": 'Fax | mail &lt;handling&gt; &amp; &quot;phones&quot;', "tags": ["privacy", "fax"]}
    panel = re.search(r'<dl class="portal-meta"[^>]*>(.*?)</dl>', page).group(1)
    assert page.index("portal-meta") < page.index("## Purpose")
    for label, value in [("Version", "3"), ("Effective date", "2026-02-01"), ("Owner", "Security officer"),
                         ("Applies to", "Front desk, Medical assistant"), ("Next review", "2026-03-01"),
                         ("Review cycle", "Every year"), ("Acknowledgement", "Required within 7 days")]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in panel
    assert re.fullmatch(r"[0-9a-f]{64}", policy.fingerprint)
    assert f'<code class="portal-fingerprint">{policy.fingerprint}</code>' in panel


def test_acknowledge_link_names_policy_version_and_fingerprint(catalogue, pages):
    policy = catalogue.policies["fax-handling"]
    page = pages["policies/privacy/fax-handling.md"]
    url = re.search(r"\[Acknowledge this version\]\(<([^>]+)>\)\{ \.md-button", page).group(1)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://tracker.fixture.example"
    assert parts.path == "/ack/fax-handling"
    assert parse_qs(parts.query) == {"version": ["3"], "fingerprint": [policy.fingerprint]}


def test_policy_without_acknowledgement_says_no_signature_is_needed(pages):
    page = pages["policies/privacy/visitor-log.md"]
    assert "Acknowledge this version" not in page
    assert '!!! note "No signature needed"' in page


def test_citations_link_to_ecfr_with_note_and_addressable_decision(catalogue, pages):
    page = pages["policies/privacy/fax-handling.md"]
    for citation in catalogue.policies["fax-handling"].citations:
        assert f"[{text(citation.rule)}](<{citation.url}>)" in page
    assert "https://www.ecfr.gov/current/title-45/section-164.312#p-164.312(e)(2)(ii)" in page
    assert "**Decision:** Equivalent alternative measure. Faxes travel over the phone network" in page
    assert "Fax lines &#124; encryption" in page


def test_revision_history_and_related_items(pages):
    page = pages["policies/privacy/fax-handling.md"]
    assert "| 3 | 2026-02-01 | Added the cover sheet &#124; checklist. | Yes | Front desk |" in page
    assert "| 2 | 2025-06-01 | Fixed a typo. | No | Nobody |" in page
    assert "| 1 | 2025-01-10 | First version. | Yes | Front desk, Medical assistant |" in page
    assert "- Policy: [Sharps safety](../safety/sharps-safety.md)" in page
    # The module names the policy, so the policy links back to the module.
    assert "- Training: [Sharps and bloodborne pathogens](../../training/sharps-training.md)" in \
        pages["policies/safety/sharps-safety.md"]


def test_user_text_is_escaped_in_tables_html_and_headings(pages):
    for path in ("policies/index.md", "policies/privacy/index.md", "roles/front-desk.md", "review.md",
                 "coverage.md", "policies/privacy/fax-handling.md"):
        html = html_of(pages[path])
        assert "<handling>" not in html, path
        for table in re.findall(r"<table>.*?</table>", html, re.S):
            heads = len(re.findall(r"<th[\s>]", table))
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
                assert len(re.findall(r"<td[\s>]", row)) == heads, (path, row)
    assert "# Fax &#124; mail &lt;handling&gt; &amp; \"phones\"" in pages["policies/privacy/fax-handling.md"]
    assert text("a*b_c [x] `y` \\ z") == "a\\*b\\_c \\[x\\] \\`y\\` \\\\ z"


def test_every_relative_link_points_at_a_generated_or_hand_written_page(pages):
    hand_written = {p.relative_to(FIXTURE.parents[2] / "docs").as_posix()
                    for p in (FIXTURE.parents[2] / "docs").rglob("*.md")}
    for path, page in pages.items():
        for target in LINK.findall(page):
            if target.startswith("<") or target.startswith("http"):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target.split("#")[0]))
            assert resolved in pages or resolved in hand_written, (path, target)


def test_module_page_shows_quiz_size_and_link_but_no_quiz(catalogue, pages):
    module = catalogue.modules["sharps-training"]
    page = pages["training/sharps-training.md"]
    assert "<dt>Quiz</dt><dd>3 questions, pass mark 80%</dd>" in page
    assert "<dt>Deadline</dt><dd>Within 10 working days of hire</dd>" in page
    assert "<dt>Repeats</dt><dd>Every year</dd>" in page
    assert "<dt>Why this interval</dt><dd>29 CFR 1910.1030(g)(2)(ii)(C) requires annual training.</dd>" in page
    assert "<dt>In person</dt><dd>Required</dd>" in page
    assert "[Take the quiz](<https://tracker.fixture.example/training/sharps-training>)" in page
    assert "## Objectives\n\n- Name the steps after a needlestick." in page
    assert f'<code class="portal-fingerprint">{module.fingerprint}</code>' in page
    default = pages["training/privacy-basics.md"]
    assert "<dt>Deadline</dt><dd>Within 30 days of hire</dd>" in default  # the office default
    assert "<dt>Repeats</dt><dd>Once; no refresher</dd>" in default


def test_no_quiz_text_reaches_any_page(catalogue, pages):
    everything = "\n".join(pages.values())
    for module in catalogue.modules.values():
        for question in module.questions:
            assert question.prompt not in everything
            assert question.explanation not in everything
            for choice in question.choices:
                if len(choice.text) > 5:  # 'True' and 'False' are common words
                    assert choice.text not in everything


def test_role_checklist_counts_deadlines_from_hire(pages):
    page = pages["roles/medical-assistant.md"]
    assert "| [Fax &#124; mail &lt;handling&gt; &amp; \"phones\"](../policies/privacy/fax-handling.md) | 3 | " \
           "within 7 days of hire |" in page
    assert "| [Sharps safety](../policies/safety/sharps-safety.md) (East clinic only) | 1 | within 14 days of hire |" in page
    assert "[Sharps and bloodborne pathogens](../training/sharps-training.md) | within 10 working days of hire |" in page
    assert "[Privacy basics](../training/privacy-basics.md) | within 30 days of hire |" in page
    assert "| any one of [CMA (AAMA)](../certifications.md#cma), [RMA (AMT)](../certifications.md#rma) | " \
           "on your first day |" in page
    assert "(East clinic only) | within 10 working days of hire | Does not expire |" in page
    assert "[Basic Life Support (BLS)](../certifications.md#bls) | within 30 days of hire | 2 years |" in page
    # Earliest deadline first.
    assert page.index("fax-handling.md") < page.index("sharps-safety.md")
    assert page.index("sharps-training.md") < page.index("privacy-basics.md")
    front_desk = pages["roles/front-desk.md"]
    assert "sharps" not in front_desk
    assert "No certification is required for this role." in front_desk
    assert "## Also read (no signature needed)\n\n- [Visitor log]" in front_desk
    assert '!!! info "A designation"' in pages["roles/security-officer.md"]


def test_certifications_page_explains_alternatives_and_roles(pages):
    page = pages["certifications.md"]
    assert "- any one of [CMA (AAMA)](certifications.md#cma), [RMA (AMT)](certifications.md#rma): holding one is enough." in page
    assert "| [Medical assistant](roles/medical-assistant.md) | [Basic Life Support (BLS)](certifications.md#bls); " \
           "any one of [CMA (AAMA)](certifications.md#cma), [RMA (AMT)](certifications.md#rma); " \
           "[Hepatitis B vaccination or declination](certifications.md#hep-b) (East clinic only) |" in page
    assert "| [Front desk](roles/front-desk.md) | Nothing |" in page
    bls = page[page.index("## Basic Life Support (BLS) { #bls }"):page.index("## CMA")]
    for pair in ("<dt>Kind</dt><dd>Certification</dd>", "<dt>Issuer</dt><dd>American Heart Association</dd>",
                 "<dt>Valid for</dt><dd>2 years</dd>", "<dt>Reminders</dt><dd>From 60 days before expiry</dd>",
                 "<dt>Deadline</dt><dd>Within 30 days of hire</dd>", "<dt>Source</dt><dd>Issuing body</dd>"):
        assert pair in bls
    assert "**Renewal.** Take a BLS renewal course" in bls
    assert "<dt>Reminders</dt><dd>From 30 days before expiry</dd>" in page  # the office default for CMA


def test_hipaa_coverage_lists_the_18_standards_of_the_reference(catalogue):
    coverage = hipaa_security_coverage(catalogue)
    safeguards = [s for s in coverage if s.group in SAFEGUARDS]
    assert len(safeguards) == regulations()["hipaa_security_standard_count"] == 18
    assert [s.group for s in coverage] == sorted((s.group for s in coverage), key=[*SAFEGUARDS,
                                                 "Policies, procedures and documentation"].index)
    by_rule = {r.rule: r for s in coverage for r in s.rules}
    assert [c.id for c in by_rule["45 CFR 164.308(a)(1)(ii)(A)"].citers] == ["fax-handling"]
    # A citation of a specification covers its standard too; a sibling stays uncovered.
    assert by_rule["45 CFR 164.308(a)(1)"].covered
    assert not by_rule["45 CFR 164.308(a)(1)(ii)(B)"].covered
    # The CFR numbers some specifications apart from their standard: (e)(2)(ii) belongs to (e)(1).
    assert [c.id for c in by_rule["45 CFR 164.312(e)(1)"].citers] == ["fax-handling"]
    assert [c.id for c in by_rule["45 CFR 164.310(a)(1)"].citers] == ["visitor-log"]
    assert by_rule["45 CFR 164.308(a)(5)(ii)(D)"].needs_decision
    assert [c.citation.decision for c in by_rule["45 CFR 164.312(e)(2)(ii)"].decisions] == ["alternative"]
    assert by_rule["45 CFR 164.312(e)(2)(ii)"].type == "addressable"
    assert "45 CFR 164.308(a)(2)" in {g.rule for g in gaps(coverage)}


def test_osha_coverage_includes_other_cited_sections(catalogue):
    reference, extra = osha_coverage(catalogue)
    by_rule = {r.rule: r for r in reference}
    assert [c.id for c in by_rule["29 CFR 1910.1030(d)"].citers] == ["sharps-safety"]  # via (d)(2)(vii)
    assert [c.id for c in by_rule["29 CFR 1910.1030(g)(2)"].citers] == ["sharps-training"]
    assert [c.kind for c in by_rule["29 CFR 1910.1030(f)(2)"].citers] == ["certification"]
    assert not by_rule["29 CFR 1910.38"].covered
    assert [(r.rule, [c.citation.rule for c in r.citers]) for r in extra] == [
        ("29 CFR 1910.132", ["29 CFR 1910.132(a)"])]


def test_coverage_page_shows_every_standard_and_gaps_prominently(catalogue, pages):
    page = pages["coverage.md"]
    for standard in hipaa_security_coverage(catalogue):
        rule = standard.standard.rule
        assert (f"| [{text(rule.removeprefix('45 CFR '))}](<{Citation(rule).url}>) | "
                f"**{text(standard.standard.name)}** (standard) |") in page
        for spec in standard.specs:
            assert f"| {text(spec.name)} ({spec.type}) |" in page
    assert "4 of the 18 standards" in page
    # The standard's row leaves the decision to its specification's row.
    assert "| **Transmission security** (standard) | [Fax" in page
    assert "| **Transmission security** (standard) | [Fax &#124; mail &lt;handling&gt; &amp; \"phones\"]" \
           "(policies/privacy/fax-handling.md) |  |" in page
    gaps_box = page[page.index('!!! danger "Not covered"'):page.index("## HIPAA Security Rule")]
    assert "45 CFR 164.308(a)(2)" in gaps_box and "29 CFR 1910.38" in gaps_box
    assert "45 CFR 164.312(e)(2)(ii)" not in gaps_box
    assert '!!! warning "Addressable specifications without a recorded decision"' in page
    assert "| Equivalent alternative measure (Fax &#124; mail" in page
    assert "[Hepatitis B vaccination or declination](certifications.md#hep-b)" in page
    assert "| [29 CFR 1910.132](<https://www.ecfr.gov/current/title-29/section-1910.132>) | 29 CFR 1910.132(a) |" in page
    for group in SAFEGUARDS:
        assert f"### {group}" in page


def test_review_page_lists_overdue_first_then_due_soon(catalogue, pages):
    assert [p.id for p in catalogue.due_for_review(TODAY)] == ["fax-handling", "sharps-safety"]
    page = pages["review.md"]
    assert "**Overdue by 31 days**" in page and "Due in 44 days" in page
    assert page.index("fax-handling") < page.index("sharps-safety")
    assert "visitor-log" not in page
    calm = render_site(catalogue, date(2025, 1, 1))["review.md"]
    assert '!!! success "Nothing due"' in calm


def test_nav_nests_policies_by_category(catalogue):
    nav = site_nav(catalogue, ["index.md", "about.md", "tags.md"])
    assert nav[0] == "index.md" and nav[-2:] == ["about.md", "tags.md"]
    policies = nav[1]["Policies"]
    assert policies[0] == "policies/index.md"
    assert all(isinstance(entry, dict) for entry in policies[1:])  # sections, never a flat page list
    assert {"Privacy &amp; records": ["policies/privacy/index.md", "policies/privacy/fax-handling.md",
                                      "policies/privacy/visitor-log.md"]} in policies


def test_nav_can_hold_categories_alone(catalogue):
    """The site's nav: each category section holds its index page, which lists the policies."""
    nav = site_nav(catalogue, ["index.md", "about.md", "tags.md"], policy_pages=False)
    policies = nav[1]["Policies"]
    assert policies == ["policies/index.md", *({c.title.replace("&", "&amp;"): [f"policies/{c.id}/index.md"]}
                                               for c in catalogue.categories.values())]
    assert nav[2:] == site_nav(catalogue, ["index.md", "about.md", "tags.md"])[2:]
    for category in catalogue.categories.values():
        index = render_site(catalogue, TODAY)[f"policies/{category.id}/index.md"]
        for policy in catalogue.policies_in(category.id):
            assert f"]({policy.id}.md)" in index


def test_markers_in_hand_written_pages_are_filled(catalogue):
    filled = fill_markers("<!-- portal:role-paths -->\n<!-- portal:contact -->", catalogue, "index.md")
    assert "- [Front desk](roles/front-desk.md): Registers patients" in filled
    assert "security-officer" not in filled  # designations are listed apart
    assert "Ask the fixture manager." in filled
    assert "](../roles/front-desk.md)" in fill_markers("<!-- portal:role-paths -->", catalogue, "help/x.md")


def test_render_imports_no_site_generator_and_portal_no_tracker():
    code = ("import sys, portal.render, portal.render.export, portal.coverage, portal.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'mkdocs', 'material', 'tracker'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
