"""postcard codes and vouches

Revision ID: 2354f94df49b
Revises: 601c1a49befe
Create Date: 2026-12-01 21:51:16.549360
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "2354f94df49b"
down_revision: str | None = "601c1a49befe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "postcard_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["addresses.id"],
            name=op.f("fk_postcard_codes_address_id_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["people.id"],
            name=op.f("fk_postcard_codes_issued_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postcard_codes")),
    )
    with op.batch_alter_table("postcard_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_postcard_codes_address_status", ["address_id", "status"], unique=False
        )

    op.create_table(
        "vouches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["addresses.id"],
            name=op.f("fk_vouches_address_id_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_vouches_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["people.id"],
            name=op.f("fk_vouches_recorded_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["people.id"],
            name=op.f("fk_vouches_voucher_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouches")),
        sa.UniqueConstraint(
            "address_id", "voucher_id", name=op.f("uq_vouches_address_id_voucher_id")
        ),
    )
    with op.batch_alter_table("vouches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vouches_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vouches_voucher_id"), ["voucher_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vouches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vouches_voucher_id"))
        batch_op.drop_index(batch_op.f("ix_vouches_person_id"))

    op.drop_table("vouches")
    with op.batch_alter_table("postcard_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_postcard_codes_address_status")

    op.drop_table("postcard_codes")
