"""traffic rollups and project tombstones

Revision ID: 62c953bb4446
Revises: fe4e3991f544
Create Date: 2026-11-24 02:27:04.144141
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models
from app.store.rollups import rebuild_rollups

revision: str = "62c953bb4446"
down_revision: str | None = "fe4e3991f544"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "duration_bins",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bin", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("total_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_duration_bins_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "day", "bin", name=op.f("pk_duration_bins")),
    )
    op.create_table(
        "traffic_dimensions",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=1100), nullable=False),
        sa.Column("visitors", sa.BigInteger(), nullable=False),
        sa.Column("page_visitors", sa.BigInteger(), nullable=False),
        sa.Column("pageviews", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("exceptions", sa.BigInteger(), nullable=False),
        sa.Column("unloads", sa.BigInteger(), nullable=False),
        sa.Column("bounces", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_traffic_dimensions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "dimension", "day", "value", name=op.f("pk_traffic_dimensions")
        ),
    )
    op.create_table(
        "traffic_slots",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("slot", app.models.column_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.BigInteger(), nullable=False),
        sa.Column("page_visitors", sa.BigInteger(), nullable=False),
        sa.Column("pageviews", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("exceptions", sa.BigInteger(), nullable=False),
        sa.Column("unloads", sa.BigInteger(), nullable=False),
        sa.Column("bounces", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_traffic_slots_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_traffic_slots_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("project_id", "slot", "source_id", name=op.f("pk_traffic_slots")),
    )
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release", sa.String(length=120), nullable=True))
        batch_op.create_index("ix_hits_received", ["received_at"], unique=False)

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "deleted_at", app.models.column_types.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.alter_column("project_id", existing_type=sa.INTEGER(), nullable=True)

    # Hits stored before this revision get their rollups now.
    rebuild_rollups(op.get_bind())


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("project_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("name")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.drop_index("ix_hits_received")
        batch_op.drop_column("release")

    op.drop_table("traffic_slots")
    op.drop_table("traffic_dimensions")
    op.drop_table("duration_bins")
