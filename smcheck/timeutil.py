"""Times read from files: aware, in UTC, and inside one bounded range, so that nothing done with them later
can overflow.

A TOML date-time can carry any offset and any year from 1 to 9999. Such a value parses, and then
overflows when it is moved to UTC (``9999-12-31 23:00:00-05:00`` is in the year 10000), compared with
another offset, shifted by a clock skew or a number of months, or shown in local time. Every date and
date-time smcheck reads from a file (records, approval statements, drafts) therefore passes through
:func:`utc_moment` or :func:`bounded_day` at the parse edge: a value outside :data:`EARLIEST` ..
:data:`LATEST` is refused there as a problem of that file, and any value let through is UTC with
centuries of room on either side for the arithmetic done with it (a day either way, a clock skew,
60 months of review period).

The same module holds the one rule for a time said to be in the future (:func:`in_future`): a clock may run
:data:`CLOCK_SKEW` ahead of the reader's, no more.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The earliest time smcheck reads from a file (nothing it signs can be older than the Unix epoch)."""

LATEST = dt.datetime(9000, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
"""The latest time smcheck reads from a file: far beyond any real record, yet 999 years short of the
calendar's end, so that adding a skew, a day or a review period to it can never overflow."""

EARLIEST_DAY = EARLIEST.date()
LATEST_DAY = LATEST.date()

RANGE_WORDS = f"between {EARLIEST_DAY} and {LATEST_DAY}"
"""The range, in words, for messages."""

CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far in the future a signed time (a sign-off, an approval) may be: the signer's clock may run a
little ahead of the reader's."""


class OutOfRange(ValueError):
    """A date or time outside :data:`EARLIEST` .. :data:`LATEST`; the message says so in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def utc_moment(value: dt.datetime) -> dt.datetime:
    """An aware date-time as UTC, or :class:`OutOfRange` when it falls outside the bounded range.

    The year is checked before the value is moved to UTC: an offset is less than a day, so a value
    whose own year is inside the range moves without overflow, and is then checked exactly.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("utc_moment needs a timezone-aware time")
    if EARLIEST.year <= value.year <= LATEST.year:
        utc = value.astimezone(dt.UTC)
        if EARLIEST <= utc <= LATEST:
            return utc
    raise OutOfRange(f"must be a time {RANGE_WORDS} (UTC), not {value.isoformat(' ')}")


def bounded_day(value: dt.date) -> dt.date:
    """A date inside the bounded range, or :class:`OutOfRange`."""
    if EARLIEST_DAY <= value <= LATEST_DAY:
        return value
    raise OutOfRange(f"must be a date {RANGE_WORDS}, not {value.isoformat()}")


def words(moment: dt.datetime) -> str:
    """A time in UTC to the minute, as messages show it: ``2026-12-02 21:30 UTC`` (the year always in
    four digits, which ``strftime`` does not promise for years before 1000)."""
    utc = moment.astimezone(dt.UTC) if EARLIEST.year <= moment.year <= LATEST.year else moment
    return f"{utc.date().isoformat()} {utc:%H:%M} UTC"


def in_future(moment: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``moment`` is later than ``now`` by more than :data:`CLOCK_SKEW` (both aware, and
    ``moment`` read through :func:`utc_moment`, so the comparison cannot overflow)."""
    return moment > now + CLOCK_SKEW


def future_words(what: str, moment: dt.datetime, now: dt.datetime) -> str:
    """Why a time is refused as being in the future, in words: ``signed off at 2026-12-02 23:50 UTC,
    later than now (21:30 UTC)``. ``now`` is shown with its date only when the dates differ."""
    at = now.astimezone(dt.UTC)
    shown = f"{at:%H:%M} UTC" if at.date() == moment.astimezone(dt.UTC).date() else words(at)
    return f"{what} {words(moment)}, later than now ({shown})"
