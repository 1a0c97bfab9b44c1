"""What every `faultline` command needs: the loaded configuration and a database session."""

from typing import TYPE_CHECKING

import click

from app.config import ConfigError, load_config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def config_of(ctx: click.Context) -> dict:
    """The configuration named by `--config` (or the environment); a clear error otherwise."""
    try:
        return load_config(ctx.obj["config_path"])
    except ConfigError as error:
        raise click.ClickException(f"configuration error: {error}") from None


def session_for(config: dict) -> "Session":
    """A session on the configured database (imported only when a command runs)."""
    from sqlalchemy.orm import Session

    from app.db import make_engine

    return Session(make_engine(config["database"]["url"]), expire_on_commit=False)
