"""hits index by page

Revision ID: 49439abe2786
Revises: 15207ce3f18f
Create Date: 2026-11-24 03:28:49.319821
"""

from collections.abc import Sequence

from alembic import op

revision: str = "49439abe2786"
down_revision: str | None = "15207ce3f18f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hits_project_path_received", ["project_id", "path", "received_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.drop_index("ix_hits_project_path_received")
