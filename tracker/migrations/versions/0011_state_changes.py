"""State changes: the log of whose records changed, so that each worker's remembered statuses catch
up with every worker's writes by recomputing only those people (tracker.storage.models.StateChange,
tracker.services.matrix). Empty at first: a worker computes everyone once, then follows the log.

Revision ID: 0011_state_changes
Revises: 0010_duty_bindings
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_state_changes"
down_revision = "0010_duty_bindings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "state_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_changes")),
    )


def downgrade():
    op.drop_table("state_changes")
