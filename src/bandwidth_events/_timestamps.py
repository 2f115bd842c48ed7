"""ISO 8601 timestamps as Bandwidth writes them, and as it might.

Bandwidth writes ``2019-09-13T16:50:53.788Z``; its published examples also show no zone at all
(meant as UTC), minute precision, and numeric offsets are valid ISO 8601. We read all of those
with dateutil's strict ISO parser and keep every value as an aware UTC `datetime`.
"""

from datetime import UTC, datetime

from dateutil.parser import isoparser

from ._errors import describe

# sep="T": the default parser takes any character between date and time, so Bandwidth's
# published malformed value 2019-09-13-16:48:27.198Z would parse as a valid time.
_PARSER = isoparser(sep="T")


def parse_timestamp(value: object) -> datetime:
    """Read a wire timestamp into an aware UTC `datetime`; a value with no zone is UTC.

    Raises:
        TypeError: The value is not a string.
        ValueError: The string is not an ISO 8601 date and time.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp string, received {describe(value)}")
    # A date alone is valid ISO 8601 but is not a moment: require the time part.
    if "T" not in value:
        raise ValueError(f"expected an ISO 8601 date and time, received {describe(value)}")
    try:
        parsed = _PARSER.isoparse(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"expected an ISO 8601 date and time, received {describe(value)}: {exc}"
        ) from exc


def format_timestamp(value: datetime) -> str:
    """Write an aware `datetime` the way Bandwidth does: UTC, ``Z``, milliseconds.

    Microseconds are written only when the value has them, so nothing is lost.
    """
    utc = value.astimezone(UTC).replace(tzinfo=None)
    spec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"
    return utc.isoformat(timespec=spec) + "Z"


def to_utc(value: datetime) -> datetime:
    """Normalise an aware `datetime` to UTC; refuse a naive one.

    Used as the attrs converter of every timestamp field, so an event built in Python holds
    the same values as one parsed from the wire.

    Raises:
        ValueError: The value is naive (no ``tzinfo``) or out of range once in UTC.
    """
    if value.tzinfo is UTC:
        return value
    if value.utcoffset() is None:
        raise ValueError(
            f"naive datetime {value.isoformat()} is ambiguous: give it a tzinfo (e.g. datetime.UTC)"
        )
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"{value.isoformat()} is out of range in UTC") from exc
