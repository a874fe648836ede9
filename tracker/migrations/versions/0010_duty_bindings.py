"""Duty completions bound to the audit trail: from now on each "duty.completed" event carries the
digest of the completion it wrote (tracker.services.bindings), so a completion changed, added or
removed behind the tracker's back is named by ``flask --app tracker audit-verify``, as signatures and
training records already are.

Completions recorded before this upgrade carried no digest. The upgrade appends one keyed
"audit.sealed" event binding each of them as it stands now (tracker.services.audit.seal), as
migration 0004 did for the records of its day; nothing is appended when there are none.

Revision ID: 0010_duty_bindings
Revises: 0009_compliance_state
Create Date: 2026-12-01
"""

import logging

from alembic import context, op

revision = "0010_duty_bindings"
down_revision = "0009_compliance_state"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

NOTE = ("Sealed at upgrade (migration 0010): office duty completions were written without a digest of the "
        "record until now. This event, keyed, binds each of them as it stood.")


def upgrade():
    if context.is_offline_mode():
        logger.warning("Printing SQL only: the existing duty completions are not sealed. Run the upgrade itself "
                       "(flask --app tracker db upgrade) to seal them.")
        return
    # The application code that writes the chain, run inside `flask db upgrade`'s app context.
    from tracker.services import audit, keys

    current = keys.current()
    seq = audit.seal(op.get_bind(), current.audit_key_id, current.audit_key, tables=["duty_completions"], note=NOTE)
    if seq is not None:
        logger.info("Sealed the duty completions at upgrade: event %s binds each of them.", seq)


def downgrade():
    pass  # no schema change; the seal event stays, a valid event of the chain
