"""Quizzes served: each quiz attempt answers a quiz served to that person, once.

Revision ID: 0005_quiz_servings
Revises: 0007_accounts
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

UTC_DATETIME = sa.DateTime(timezone=True)
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision = "0005_quiz_servings"
down_revision = "0007_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quiz_servings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("layout", JSON_TYPE, nullable=False),
        sa.Column("served_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_quiz_servings_staff_id_staff")),
        sa.ForeignKeyConstraint(["module_version_id"], ["module_versions.id"],
                                name=op.f("fk_quiz_servings_module_version_id_module_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_servings")),
    )
    op.create_index(op.f("ix_quiz_servings_staff_id"), "quiz_servings", ["staff_id"])
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.add_column(sa.Column("serving_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_quiz_attempts_serving_id_quiz_servings"), "quiz_servings",
                                 ["serving_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_quiz_attempts_serving_id"), ["serving_id"])


def downgrade():
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_constraint(op.f("uq_quiz_attempts_serving_id"), type_="unique")
        batch.drop_constraint(op.f("fk_quiz_attempts_serving_id_quiz_servings"), type_="foreignkey")
        batch.drop_column("serving_id")
    op.drop_table("quiz_servings")
