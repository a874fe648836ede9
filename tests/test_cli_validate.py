"""`portal validate` prints problems one per line with a count, or JSON, and sets the exit code."""

from __future__ import annotations

import json
import subprocess
import sys

from content_helpers import FIXTURE, copy_fixture, edit

from portal.cli import main


def test_valid_content_exits_zero_with_a_summary(capsys):
    assert main(["validate", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 5 files checked: 2 policies in 1 category, 1 training module (3 quiz questions)")


def test_problems_are_listed_then_counted(tmp_path, capsys):
    root = copy_fixture(tmp_path)
    edit(root, "policies/privacy/access.yml", "owner: manager", "owner: boss")
    edit(root, "training/privacy-basics.yml", "pass_mark: 80", "pass_mark: 101")
    assert main(["validate", str(root)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("policies/privacy/access.yml:7:8: unknown role 'boss'")
    assert lines[1].startswith("training/privacy-basics.yml:")
    assert lines[-1] == "2 problems in 2 files."


def test_json_output_has_the_same_problems(tmp_path, capsys):
    root = copy_fixture(tmp_path)
    edit(root, "policies/privacy/access.yml", "owner: manager", "owner: boss")
    assert main(["validate", str(root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["count"] == 1 and data["files"] == 5
    assert data["problems"][0] == {
        "path": "policies/privacy/access.yml", "line": 7, "column": 8,
        "message": "unknown role 'boss'",
        "hint": data["problems"][0]["hint"],
    }
    assert main(["validate", str(FIXTURE), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["policies"] == 2


def test_yaml_syntax_error_is_a_line_not_a_traceback(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "policies/privacy/broken.yml").write_text("id: x\ntitle: : :\n  - bad\n", "utf-8")
    result = subprocess.run([sys.executable, "-m", "portal", "validate", str(root)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "policies/privacy/broken.yml:2:" in result.stdout
