"""phone preferences: what helps each caller on the phone (keys first, slower speech)

Revision ID: d7b3e5a1c9f4
Revises: c5f1a7d3e9b2
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "d7b3e5a1c9f4"
down_revision: str | None = "c5f1a7d3e9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_preferences",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("keypad_first", sa.Boolean(), nullable=False),
        sa.Column("slow_speech", sa.Boolean(), nullable=False),
        sa.Column("keypad_calls", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("updated_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_phone_preferences_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_phone_preferences")),
    )


def downgrade() -> None:
    op.drop_table("phone_preferences")
