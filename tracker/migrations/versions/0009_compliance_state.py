"""Compliance state: each person's latest relevant records (kept current by every write) and
month-end status counts (tracker.services.compliance_state, tracker.services.month_snapshots).

The upgrade fills the state from the records already there, with the same choices as the rules
(best signature per policy, latest completion per module version and method, longest-lasting
verified card per type; corrected records left out). Month-end counts are written on the first
read after each month closes, or at once by ``flask --app tracker compliance rebuild-state``.

Revision ID: 0009_compliance_state
Revises: 0008_certification_cards
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0009_compliance_state"
down_revision = "0008_certification_cards"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)

BACKFILL = (
    """INSERT INTO compliance_state (staff_id, kind, item_id, variant, version, method, done_on, expires_on,
                                     signed_at, record_id)
    SELECT staff_id, 'acknowledgement', policy_id, 'best', version, '', CAST(NULL AS DATE), CAST(NULL AS DATE),
           signed_at, id
    FROM (SELECT a.id, a.staff_id, v.policy_id, v.version, a.signed_at,
                 ROW_NUMBER() OVER (PARTITION BY a.staff_id, v.policy_id
                                    ORDER BY v.version DESC, a.signed_at DESC, a.id DESC) AS n
          FROM acknowledgements a JOIN policy_versions v ON v.id = a.policy_version_id) ranked
    WHERE n = 1""",
    """INSERT INTO compliance_state (staff_id, kind, item_id, variant, version, method, done_on, expires_on,
                                     signed_at, record_id)
    SELECT staff_id, 'completion', module_id, CAST(version AS VARCHAR) || '/' || method, version, method,
           completed_on, CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP), id
    FROM (SELECT c.id, c.staff_id, v.module_id, v.version, c.method, c.completed_on,
                 ROW_NUMBER() OVER (PARTITION BY c.staff_id, v.module_id, v.version, c.method
                                    ORDER BY c.completed_on DESC, c.id DESC) AS n
          FROM training_completions c JOIN module_versions v ON v.id = c.module_version_id
          WHERE c.id NOT IN (SELECT corrects_id FROM training_completions WHERE corrects_id IS NOT NULL)) ranked
    WHERE n = 1""",
    """INSERT INTO compliance_state (staff_id, kind, item_id, variant, version, method, done_on, expires_on,
                                     signed_at, record_id)
    SELECT staff_id, 'certification', type_id, 'best', 0, '', issued_on, expires_on, CAST(NULL AS TIMESTAMP), id
    FROM (SELECT r.id, r.staff_id, r.type_id, r.issued_on, r.expires_on,
                 ROW_NUMBER() OVER (PARTITION BY r.staff_id, r.type_id
                                    ORDER BY CASE WHEN r.expires_on IS NULL THEN 1 ELSE 0 END DESC,
                                             COALESCE(r.expires_on, r.issued_on) DESC, r.issued_on DESC,
                                             r.id DESC) AS n
          FROM certification_records r
          JOIN (SELECT record_id, decision,
                       ROW_NUMBER() OVER (PARTITION BY record_id ORDER BY decided_at DESC, id DESC) AS n
                FROM certification_verifications) d ON d.record_id = r.id AND d.n = 1 AND d.decision = 'verified'
          WHERE r.id NOT IN (SELECT corrects_id FROM certification_records WHERE corrects_id IS NOT NULL)) ranked
    WHERE n = 1""",
)


def upgrade():
    op.create_table(
        "compliance_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(80), nullable=False),
        sa.Column("variant", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("signed_at", UTC_DATETIME, nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_compliance_state_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_state")),
        sa.UniqueConstraint("staff_id", "kind", "item_id", "variant",
                            name=op.f("uq_compliance_state_staff_id_kind_item_id_variant")),
    )
    op.create_table(
        "compliance_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("compliant", sa.Integer(), nullable=False),
        sa.Column("due_soon", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_snapshots")),
        sa.UniqueConstraint("month_end", "scope", name=op.f("uq_compliance_snapshots_month_end_scope")),
    )
    if not context.is_offline_mode():
        for statement in BACKFILL:
            op.execute(statement)


def downgrade():
    op.drop_table("compliance_snapshots")
    op.drop_table("compliance_state")
