"""Audit bindings: keyed audit events (key_id) with the digests of the records they wrote (bindings),
the fingerprinted fields of archived versions, and
the one-time "audit.sealed" event binding every record written before this upgrade.

The events before this migration were chained with plain SHA-256, which anyone can recompute, and
carried no digest of their records. The seal is one event chained with the audit key
(tracker.services.keys: TRACKER_AUDIT_KEY must be set, as for running the tracker) right after them:
it fixes their last hash and binds every record as it stands now (tracker.services.audit.seal).
Nothing is sealed in a database without events.

Revision ID: 0004_audit_bindings
Revises: 0006_office_duties
Create Date: 2026-12-01
"""

import logging

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision = "0004_audit_bindings"
down_revision = "0006_office_duties"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ARCHIVES = ("policy_versions", "module_versions")
logger = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.add_column("audit_events", sa.Column("key_id", sa.String(16), nullable=True))
    op.add_column("audit_events", sa.Column("bindings", JSON, nullable=True))
    for table in ARCHIVES:
        op.add_column(table, sa.Column("fingerprint_source", JSON, nullable=True))
    if context.is_offline_mode():
        logger.warning("Printing SQL only: the existing audit events are not sealed. Run the upgrade itself "
                       "(flask --app tracker db upgrade) to seal them.")
        return
    # The application code that writes the chain, run inside `flask db upgrade`'s app context.
    from tracker.services import audit, keys

    current = keys.current()
    seq = audit.seal(op.get_bind(), current.audit_key_id, current.audit_key)
    if seq is not None:
        logger.info("Sealed the audit trail at upgrade: event %s binds every record written before it.", seq)


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 or later has it): copying a table other tables point at, as a
    # batch operation would, trips SQLite's foreign keys. The seal event stays: it is a valid event.
    for table in ARCHIVES:
        op.drop_column(table, "fingerprint_source")
    op.drop_column("audit_events", "bindings")
    op.drop_column("audit_events", "key_id")
