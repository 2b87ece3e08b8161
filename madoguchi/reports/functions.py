"""Database functions the reports need, in each database's own SQL.

Django computes a difference of two timestamps and a local calendar day on SQLite with Python
functions it registers on the connection, called once per row: over 100,000 tickets that is
most of a report's time. These say the same in native SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import DateField, F, FloatField, Func


class SecondsBetween(Func):
    """`later` - `earlier` in seconds, as a float."""

    arity = 2
    output_field = FloatField()

    def __init__(self, later: str, earlier: str, **extra: Any) -> None:
        super().__init__(F(later), F(earlier), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Timestamps are stored as UTC text, which julianday() reads; its double keeps the
        # difference to well under a millisecond.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )


class DayAtOffset(Func):
    """The calendar day of a timestamp at a fixed offset from UTC (a zone without daylight
    saving time in the period, such as Asia/Tokyo)."""

    output_field = DateField()

    def __init__(self, name: str, offset: timedelta, **extra: Any) -> None:
        super().__init__(F(name), **extra)
        self.offset_seconds = int(offset.total_seconds())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=f"date(%(expressions)s, '{self.offset_seconds:+d} seconds')",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=(
                "((%(expressions)s AT TIME ZONE 'UTC')"
                f" + INTERVAL '{self.offset_seconds:d} seconds')::date"
            ),
            **extra,
        )
