"""docs/operations.md documents every TRACKER_* setting tracker/config.py reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_the_production_guide():
    settings = set(re.findall(r"\bTRACKER_[A-Z_]+\b", (ROOT / "tracker" / "config.py").read_text("utf-8")))
    guide = (ROOT / "docs" / "operations.md").read_text("utf-8")
    documented = {name for name in settings if f"`{name}`" in guide}
    assert settings - {"TRACKER_DEVELOPMENT"} <= documented, (
        f"describe {sorted(settings - documented - {'TRACKER_DEVELOPMENT'})} in docs/operations.md's settings table")
