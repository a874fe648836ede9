"""The tracker tests' fixtures (app, client, runner, people; per backend), shared with these tests.

tests/tracker/conftest.py is loaded again here under another module name, and its helpers'
folder put on the path, so `from tracker_helpers import ...` works the same in both folders.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TRACKER_TESTS = Path(__file__).resolve().parents[1] / "tracker"
if str(TRACKER_TESTS) not in sys.path:
    sys.path.insert(0, str(TRACKER_TESTS))

_spec = importlib.util.spec_from_file_location("tracker_test_fixtures", TRACKER_TESTS / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

app = _fixtures.app
backend = _fixtures.backend
client = _fixtures.client
database_url = _fixtures.database_url
manager = _fixtures.manager
runner = _fixtures.runner
staff_member = _fixtures.staff_member
empty_tables = _fixtures.empty_tables
