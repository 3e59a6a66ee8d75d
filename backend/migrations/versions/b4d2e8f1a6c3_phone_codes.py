"""phone codes: a number typed on Telegram is proven by a code sent to it before it links

Revision ID: b4d2e8f1a6c3
Revises: 7c1e5a0d93b2
Create Date: 2026-12-02 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "b4d2e8f1a6c3"
down_revision: str | None = "7c1e5a0d93b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("claimant", sa.String(length=80), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("issued_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_codes")),
    )
    with op.batch_alter_table("phone_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_codes_phone_claimant_status", ["phone", "claimant", "status"], unique=False
        )
        batch_op.create_index(
            "ix_phone_codes_phone_issued_at", ["phone", "issued_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("phone_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_codes_phone_issued_at")
        batch_op.drop_index("ix_phone_codes_phone_claimant_status")
    op.drop_table("phone_codes")
