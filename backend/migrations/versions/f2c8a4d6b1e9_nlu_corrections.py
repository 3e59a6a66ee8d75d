"""nlu corrections: dispatchers' right intent and service for a message, as training examples

Revision ID: f2c8a4d6b1e9
Revises: d7b3e5a1c9f4
Create Date: 2026-12-04 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "f2c8a4d6b1e9"
down_revision: str | None = "d7b3e5a1c9f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nlu_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("model_intent", sa.String(length=40), nullable=True),
        sa.Column("model_service", sa.String(length=40), nullable=True),
        sa.Column("model_confidence", sa.Float(), nullable=True),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=True),
        sa.Column("dispatcher_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["conversation_messages.id"],
            name=op.f("fk_nlu_corrections_message_id_conversation_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dispatcher_id"],
            ["people.id"],
            name=op.f("fk_nlu_corrections_dispatcher_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_corrections")),
        sa.UniqueConstraint("message_id", name=op.f("uq_nlu_corrections_message_id")),
    )


def downgrade() -> None:
    op.drop_table("nlu_corrections")
