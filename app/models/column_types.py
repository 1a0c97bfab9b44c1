"""Column types that read and write alike on SQLite and PostgreSQL: UTC times and days."""

from datetime import UTC, date

from sqlalchemy import Date, DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on both backends (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect):
        """On SQLite one step, not the decorator's two (to UTC, then to SQLAlchemy's text
        format): ingest binds several times per event."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value):
            if value is None:
                return None
            # SQLAlchemy's SQLite DATETIME text: `2024-06-01 12:00:00.000000`, 26 characters
            # before the offset that isoformat adds to an aware time.
            if value.tzinfo is not UTC and value.tzinfo is not None:
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:26]

        return to_text

    def process_bind_param(self, value, dialect):
        """Store UTC; naive values are taken as UTC already."""
        if value is None or value.tzinfo is None:
            return value
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Day(TypeDecorator):
    """A calendar day (UTC) of the rollups and daily counts."""

    impl = Date
    cache_ok = True

    def bind_processor(self, dialect):
        """On SQLite the C `date.isoformat` (a datetime gives its date), SQLAlchemy's very text
        at a third of the cost: ingest binds one per rollup cell."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value):
            return None if value is None else date.isoformat(value)

        return to_text
