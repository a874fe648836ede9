"""The acknowledgement load test with one gunicorn worker killed by SIGKILL a third of the way in.

Run: .venv/bin/python benchmarks/kill_worker.py [--database sqlite|postgresql|both] [--requests 5000] ...
(the options of load_acknowledgements.py; this is its --kill-worker mode). Requests in flight on the
killed worker fail with a connection error and count apart, as never confirmed; every confirmed
signature must still be in the database exactly once, with the audit chain intact.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load_acknowledgements import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--kill-worker", *sys.argv[1:]]))
