"""Sentry SDK events: their fields, the group's platform and environment, dropped item counts

Revision ID: 952fd92a0239
Revises: 49439abe2786
Create Date: 2026-12-07 03:15:19.715660
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models

revision: str = "952fd92a0239"
down_revision: str | None = "49439abe2786"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "dropped_items",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", app.models.column_types.Day(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_dropped_items_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "day", "category", "reason", name=op.f("pk_dropped_items")
        ),
    )
    with op.batch_alter_table("exception_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("environment", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("level", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("logger", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("transaction_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("url", sa.String(length=1100), nullable=True))
        batch_op.add_column(sa.Column("sdk_name", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sdk_version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("contexts", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("message_template", sa.Text(), nullable=True))

    with op.batch_alter_table("exception_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("environment", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("exception_groups", schema=None) as batch_op:
        batch_op.drop_column("environment")
        batch_op.drop_column("platform")

    with op.batch_alter_table("exception_events", schema=None) as batch_op:
        batch_op.drop_column("message_template")
        batch_op.drop_column("chain")
        batch_op.drop_column("contexts")
        batch_op.drop_column("tags")
        batch_op.drop_column("sdk_version")
        batch_op.drop_column("sdk_name")
        batch_op.drop_column("url")
        batch_op.drop_column("transaction_name")
        batch_op.drop_column("logger")
        batch_op.drop_column("level")
        batch_op.drop_column("environment")
        batch_op.drop_column("platform")

    op.drop_table("dropped_items")
