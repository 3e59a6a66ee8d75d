"""callback tasks: how often the person asked, and how the task was closed

Revision ID: a8d4c2e6f1b3
Revises: f2c8a4d6b1e9
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8d4c2e6f1b3"
down_revision: str | None = "f2c8a4d6b1e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asked", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("done_how", sa.String(length=16), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.drop_column("done_how")
        batch_op.drop_column("asked")
