"""Initial schema: people and sign-in, the content archive, acknowledgements, the audit trail.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def _archived_version_columns():
    """Columns shared by policy_versions and module_versions (tracker.storage.models.content.ArchivedVersion)."""
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("material_change", sa.Boolean(), nullable=False),
        sa.Column("affected_roles", JSON, nullable=False),
        sa.Column("synced_at", UTC_DATETIME, nullable=False),
    ]


def upgrade():
    op.create_table(
        "locations",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("designation", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("job_title", sa.String(200), nullable=False),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("location_id", sa.String(80), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_staff_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("account_role", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("account_role IN ('staff', 'manager', 'admin')", name=op.f("ck_users_account_role")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_users_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_users_staff_id")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
        sa.Column("failed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(op.f("ix_sign_in_failures_email_ip_address_failed_at"), "sign_in_failures",
                    ["email", "ip_address", "failed_at"])
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(80), nullable=False),
        sa.Column("applies_to", JSON, nullable=False),
        *_archived_version_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("policy_id", "version", name=op.f("uq_policy_versions_policy_id_version")),
    )
    op.create_table(
        "module_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(80), nullable=False),
        sa.Column("audience", JSON, nullable=False),
        *_archived_version_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_versions")),
        sa.UniqueConstraint("module_id", "version", name=op.f("uq_module_versions_module_id_version")),
    )
    op.create_table(
        "content_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("catalogue", JSON, nullable=False),
        sa.Column("taken_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_snapshots")),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("signature_name", sa.String(200), nullable=False),
        sa.Column("signed_at", UTC_DATETIME, nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(500), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("method IN ('web', 'api')", name=op.f("ck_acknowledgements_method")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_acknowledgements_staff_id_staff")),
        sa.ForeignKeyConstraint(["policy_version_id"], ["policy_versions.id"],
                                name=op.f("fk_acknowledgements_policy_version_id_policy_versions")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_acknowledgements_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgements")),
        sa.UniqueConstraint("staff_id", "policy_version_id",
                            name=op.f("uq_acknowledgements_staff_id_policy_version_id")),
    )
    op.create_index(op.f("ix_acknowledgements_policy_version_id"), "acknowledgements", ["policy_version_id"])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )


def downgrade():
    for table in ("audit_events", "acknowledgements", "content_snapshots", "module_versions", "policy_versions",
                  "sign_in_failures", "api_tokens", "users", "staff", "roles", "locations"):
        op.drop_table(table)  # dropping a table drops its indexes
