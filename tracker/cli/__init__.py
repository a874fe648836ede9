"""Every ``flask --app tracker <command>``, one module per area; each exits 1 with ``Error: ...`` on failure.

- content: sync, seed-demo
- people: create-user, import-staff, issue-token, revoke-tokens
- records: evidence, remind
- operations: backup, audit-verify, checkpoint, evidence-key
- compliance: compliance rebuild-state
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command (imported here, so that importing tracker.cli.common loads no command)."""
    from tracker.cli import compliance, content, operations, people, records

    for module in (content, people, records, operations, compliance):
        for command in module.COMMANDS:
            app.cli.add_command(command)
