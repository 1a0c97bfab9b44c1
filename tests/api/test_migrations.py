"""Data migrations: hits stored before the rollups existed get their rollups on upgrade."""

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.cli import MIGRATIONS

BEFORE_ROLLUPS = "fe4e3991f544"


def _alembic(url: str) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


def test_upgrade_builds_rollups_from_existing_hits(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(_alembic(url), BEFORE_ROLLUPS)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO projects (id, name, public_key, created_at) "
                "VALUES (1, 'example.com', 'k', '2026-11-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sources (id, project_id, key, kind, auto_registered, created_at) "
                "VALUES (1, 1, 'https://example.com', 'web', 1, '2026-11-01 00:00:00')"
            )
        )
        for minute, (kind, unique, duration) in enumerate(
            [("load", 1, None), ("load", 0, None), ("unload", 0, 1234)]
        ):
            conn.execute(
                text(
                    "INSERT INTO hits (project_id, source_id, kind, received_at, path, "
                    "unique_visit, unique_page, browser, duration_ms) VALUES "
                    "(1, 1, :kind, :at, '/docs', :unique, :unique, 'Firefox', :duration)"
                ),
                {
                    "kind": kind,
                    "at": f"2026-11-02 10:0{minute}:00",
                    "unique": unique,
                    "duration": duration,
                },
            )
    command.upgrade(_alembic(url), "head")
    with engine.connect() as conn:
        slot = conn.execute(
            text("SELECT slot, visitors, pageviews, unloads FROM traffic_slots")
        ).one()
        pages = conn.execute(
            text("SELECT value, pageviews FROM traffic_dimensions WHERE dimension = 'path'")
        ).all()
        bins = conn.execute(text("SELECT bin, count, total_ms FROM duration_bins")).all()
    engine.dispose()
    assert slot[0].startswith("2026-11-02 10:00:00") and tuple(slot[1:]) == (1, 2, 1)
    assert pages == [("/docs", 2)]
    assert bins == [(1232, 1, 1234)]  # 1234 keeps its top 7 bits: 1232
