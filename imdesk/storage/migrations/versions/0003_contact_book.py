"""The contact book: contacts (phones, emails, tags, search terms, checks), teams with members and
escalation ladders, on-call shifts, distribution lists, and each service's owners and stakeholders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('preferred_channel', sa.String(length=10), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('account_number', sa.String(length=200), nullable=False),
    sa.Column('last_verified_at', UTCDateTime(), nullable=True),
    sa.Column('verified_by', sa.String(length=120), nullable=False),
    sa.Column('review', sa.String(length=500), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(notes) <= 20000', name='ck_contact_notes_len'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contact_kind', 'contact', ['kind'], unique=False)
    op.create_index('ix_contact_name', 'contact', [sa.text('lower(name)')], unique=False)
    op.create_index('ix_contact_verified', 'contact', ['last_verified_at'], unique=False)
    op.create_table('distribution_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('contact_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('checked_at', UTCDateTime(), nullable=False),
    sa.Column('checked_by', sa.String(length=120), nullable=False),
    sa.Column('incident_ref', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contact_check_contact', 'contact_check', ['contact_id'], unique=False)
    op.create_table('contact_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contact_email_address', 'contact_email', [sa.text('lower(address)')], unique=False)
    op.create_index('ix_contact_email_contact', 'contact_email', ['contact_id'], unique=False)
    op.create_table('contact_phone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('raw', sa.String(length=100), nullable=False),
    sa.Column('e164', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contact_phone_contact', 'contact_phone', ['contact_id'], unique=False)
    op.create_index('ix_contact_phone_e164', 'contact_phone', ['e164'], unique=False)
    op.create_table('contact_tag',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'tag')
    )
    op.create_table('contact_term',
    sa.Column('term', sa.String(length=60), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term', 'contact_id')
    )
    op.create_index('ix_contact_term_contact', 'contact_term', ['contact_id'], unique=False)
    op.create_table('escalation_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=60), nullable=False),
    sa.Column('wait_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('wait_minutes >= 0', name='ck_escalation_wait'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_escalation_team', 'escalation_step', ['team_id', 'position'], unique=False)
    op.create_table('list_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['distribution_list.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_list_member_list', 'list_member', ['list_id'], unique=False)
    op.create_table('roster_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('ends_at', UTCDateTime(), nullable=False),
    sa.Column('override', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name='ck_roster_order'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_roster_end', 'roster_shift', ['ends_at'], unique=False)
    op.create_index('ix_roster_team_start', 'roster_shift', ['team_id', 'starts_at'], unique=False)
    op.create_table('service_profile',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('owner_team_id', sa.Integer(), nullable=True),
    sa.Column('business_owner_id', sa.Integer(), nullable=True),
    sa.Column('runbook', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['business_owner_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_team_id'], ['team.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id')
    )
    op.create_table('service_stakeholder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=2), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(
        '(CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END) + '
        '(CASE WHEN team_id IS NULL THEN 0 ELSE 1 END) + '
        '(CASE WHEN list_id IS NULL THEN 0 ELSE 1 END) = 1', name='ck_stakeholder_one_target'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['distribution_list.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stakeholder_service', 'service_stakeholder', ['service_id', 'priority'],
                    unique=False)
    op.create_table('team_member',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'contact_id')
    )
    op.create_index('ix_team_member_contact', 'team_member', ['contact_id'], unique=False)


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
