"""outbox rows record the worker that holds them (locked_by)

A worker marks a row sent only while it still holds it (compare-and-set on locked_by), so a
lease that ran out and was taken over by another worker cannot be marked twice.

Revision ID: 7c1e5a0d93b2
Revises: 2354f94df49b
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a0d93b2"
down_revision: str | None = "2354f94df49b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("locked_by")
