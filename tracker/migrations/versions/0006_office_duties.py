"""Office duties: archived duty schedules, completions and their attachments (tracker.services.duties).

Revision ID: 0006_office_duties
Revises: 0005_quiz_servings
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

UTC_DATETIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision = "0006_office_duties"
down_revision = "0005_quiz_servings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duty_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.String(100), nullable=False),
        sa.Column("definition", JSON, nullable=True),
        sa.Column("in_force_from", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_schedules")),
    )
    op.create_index(op.f("ix_duty_schedules_duty_id"), "duty_schedules", ["duty_id"])
    op.create_table(
        "duty_attachments",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_duty_attachments")),
    )
    op.create_table(
        "duty_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.String(100), nullable=False),
        sa.Column("location_id", sa.String(80), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attachment_sha256", sa.String(64), nullable=True),
        sa.Column("attachment_name", sa.String(200), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_duty_completions_location_id_locations")),
        sa.ForeignKeyConstraint(["attachment_sha256"], ["duty_attachments.sha256"],
                                name=op.f("fk_duty_completions_attachment_sha256_duty_attachments")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_duty_completions_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_completions")),
    )
    op.create_index(op.f("ix_duty_completions_duty_id"), "duty_completions", ["duty_id"])


def downgrade():
    op.drop_table("duty_completions")  # dropping a table drops its indexes
    op.drop_table("duty_attachments")
    op.drop_table("duty_schedules")
