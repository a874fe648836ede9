"""Certification cards: photos and scans of the cards behind certification records
(tracker.services.certification_cards), kept in the database with their SHA-256.

Revision ID: 0008_certification_cards
Revises: 0004_audit_bindings
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

# revision identifiers, used by Alembic.
revision = "0008_certification_cards"
down_revision = "0004_audit_bindings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["certification_records.id"],
                                name=op.f("fk_certification_cards_record_id_certification_records")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_certification_cards_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_cards")),
    )
    op.create_index(op.f("ix_certification_cards_record_id"), "certification_cards", ["record_id"])
    op.create_index(op.f("ix_certification_cards_sha256"), "certification_cards", ["sha256"])


def downgrade():
    op.drop_table("certification_cards")  # dropping a table drops its indexes
