"""Training and certifications: quiz attempts, in-person sessions and attendees, completions,
late reasons, certification records and their verifications.

Revision ID: 0002_training_certifications
Revises: 0001_initial
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

# revision identifiers, used by Alembic.
revision = '0002_training_certifications'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('attempted_at', UTC_DATETIME, nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_quiz_attempts_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_quiz_attempts_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_staff_id'), ['staff_id'], unique=False)

    op.create_table('certification_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.String(length=80), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['certification_records.id'], name=op.f('fk_certification_records_corrects_id_certification_records')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_certification_records_staff_id_staff')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_certification_records_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_records'))
    )
    with op.batch_alter_table('certification_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_records_staff_id'), ['staff_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('content_summary', sa.Text(), nullable=False),
    sa.Column('trainer_name', sa.String(length=200), nullable=False),
    sa.Column('trainer_qualifications', sa.Text(), nullable=False),
    sa.Column('location_id', sa.String(length=80), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_training_sessions_location_id_locations')),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_training_sessions_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_training_sessions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    op.create_table('certification_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', UTC_DATETIME, nullable=False),
    sa.CheckConstraint("decision IN ('verified', 'rejected')", name=op.f('ck_certification_verifications_decision')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_certification_verifications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['certification_records.id'], name=op.f('fk_certification_verifications_record_id_certification_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_verifications'))
    )
    with op.batch_alter_table('certification_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_verifications_record_id'), ['record_id'], unique=False)

    op.create_table('session_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_session_attendees_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_session_attendees_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendees')),
    sa.UniqueConstraint('session_id', 'staff_id', name=op.f('uq_session_attendees_session_id_staff_id'))
    )
    with op.batch_alter_table('session_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendees_staff_id'), ['staff_id'], unique=False)

    op.create_table('training_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', UTC_DATETIME, nullable=False),
    sa.CheckConstraint("method IN ('quiz', 'in_person')", name=op.f('ck_training_completions_method')),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_training_completions_attempt_id_quiz_attempts')),
    sa.ForeignKeyConstraint(['corrects_id'], ['training_completions.id'], name=op.f('fk_training_completions_corrects_id_training_completions')),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_training_completions_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_training_completions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_completions_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_training_completions_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_completions')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_training_completions_attempt_id')),
    sa.UniqueConstraint('session_id', 'staff_id', name=op.f('uq_training_completions_session_id_staff_id'))
    )
    with op.batch_alter_table('training_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_completions_staff_id'), ['staff_id'], unique=False)

    op.create_table('late_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=80), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['training_completions.id'], name=op.f('fk_late_reasons_completion_id_training_completions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_late_reasons_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_late_reasons_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_reasons'))
    )
    with op.batch_alter_table('late_reasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_reasons_staff_id_module_id'), ['staff_id', 'module_id'], unique=False)



def downgrade():
    with op.batch_alter_table('late_reasons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_late_reasons_staff_id_module_id'))

    op.drop_table('late_reasons')
    with op.batch_alter_table('training_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_completions_staff_id'))

    op.drop_table('training_completions')
    with op.batch_alter_table('session_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_attendees_staff_id'))

    op.drop_table('session_attendees')
    with op.batch_alter_table('certification_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_verifications_record_id'))

    op.drop_table('certification_verifications')
    op.drop_table('training_sessions')
    with op.batch_alter_table('certification_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_records_staff_id'))

    op.drop_table('certification_records')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_staff_id'))

    op.drop_table('quiz_attempts')
