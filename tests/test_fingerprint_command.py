"""`portal fingerprint FILE`: the fingerprint anyone can compute, the same as the site's and the tracker's."""

from __future__ import annotations

import json
from pathlib import Path

from portal import load_catalogue
from portal.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_it_prints_the_catalogues_fingerprint_of_each_policy_and_module(capsys):
    catalogue = load_catalogue(ROOT)
    items = [*catalogue.policies.values(), *catalogue.modules.values()][:6]
    for item in items:
        assert main(["fingerprint", str(ROOT / item.source)]) == 0
        assert capsys.readouterr().out == f"{item.fingerprint}  {ROOT / item.source}\n"


def test_a_packs_fields_file_is_checked_against_the_fingerprint_it_states(tmp_path, capsys):
    policy = next(iter(load_catalogue(ROOT).policies.values()))
    from tracker.services.fingerprints import text_fields

    shipped = tmp_path / "v1.fingerprint.json"
    shipped.write_text(json.dumps({"fingerprint": policy.fingerprint, "fields": text_fields(policy)}))
    assert main(["fingerprint", str(shipped)]) == 0
    assert capsys.readouterr().out.startswith(policy.fingerprint)
    changed = json.loads(shipped.read_text())
    changed["fields"]["body"] += "\nOne more sentence."
    shipped.write_text(json.dumps(changed))
    assert main(["fingerprint", str(shipped)]) == 1
    assert "it was changed" in capsys.readouterr().err


def test_a_file_that_is_no_policy_or_module_is_a_clear_error(tmp_path, capsys):
    office = ROOT / "policies" / "office.yml"
    assert main(["fingerprint", str(office)]) == 1
    assert "neither a policy" in capsys.readouterr().err
    broken = tmp_path / "broken.yml"
    broken.write_text("id: [unclosed\n")
    assert main(["fingerprint", str(broken)]) == 1
    assert "cannot compute a fingerprint" in capsys.readouterr().err


def test_the_tracker_rebuilds_the_fingerprinted_fields_of_every_shipped_version():
    """The tracker archives these fields with each version (the evidence pack ships them); a field added
    to portal.fingerprint but not to tracker.services.fingerprints would leave them out."""
    from tracker.services.fingerprints import text_fields

    for root in (ROOT, ROOT / "tests" / "fixtures" / "tracker" / "content"):
        catalogue = load_catalogue(root)
        for item in [*catalogue.policies.values(), *catalogue.modules.values()]:
            fields = text_fields(item)
            assert fields is not None, f"{item.id}: fields not rebuilt"
            assert main(["fingerprint", str(root / item.source)]) == 0
