"""Use cases shared by the pages, the JSON API and the ``flask`` commands.

Each takes plain values (never the request), writes through the storage layer with its audit
event in the same transaction, and leaves every status judgement to tracker.rules.
"""

# Registers the session hook that keeps the compliance state current with every write, whichever
# service (or command) makes it.
from tracker.services import compliance_state as compliance_state  # noqa: E402
