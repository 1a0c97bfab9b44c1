"""The `faultline` command: its commands (commands.py), users and tokens (access.py), and the
config and session they share (context.py)."""

from app.cli.commands import MIGRATIONS, main, run_migrations

__all__ = ["MIGRATIONS", "main", "run_migrations"]
