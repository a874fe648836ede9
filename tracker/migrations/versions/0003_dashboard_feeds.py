"""Calendar feeds: secret calendar addresses, stored as SHA-256 hashes (tracker.services.calendars).

Revision ID: 0003_dashboard_feeds
Revises: 0002_training_certifications
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

# revision identifiers, used by Alembic.
revision = "0003_dashboard_feeds"
down_revision = "0002_training_certifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint("scope IN ('personal', 'team')", name=op.f("ck_calendar_feeds_scope")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_user_id_scope"), "calendar_feeds", ["user_id", "scope"])


def downgrade():
    op.drop_table("calendar_feeds")  # dropping a table drops its indexes
