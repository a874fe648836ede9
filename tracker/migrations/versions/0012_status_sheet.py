"""Status sheet: everyone's statuses on one day, stored once and brought up to date from the change
log, so the dashboard, the matrix page and the trend read them instead of each worker computing
everyone (tracker.services.status_sheet). Empty at first: the first reader fills it.

Revision ID: 0012_status_sheet
Revises: 0011_state_changes
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_status_sheet"
down_revision = "0011_state_changes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "status_sheet",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("dues", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_status_sheet_staff_id_staff"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_status_sheet")),
    )
    op.create_table(
        "status_sheet_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("change_token", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_sheet_head")),
    )


def downgrade():
    op.drop_table("status_sheet_head")
    op.drop_table("status_sheet")
