"""ISO 8601 timestamps as Bandwidth writes them, and as it might.

Bandwidth writes ``2019-09-13T16:50:53.788Z``; its published examples also show no zone at all
(meant as UTC), minute precision, and numeric offsets are valid ISO 8601. We read all of those
with dateutil's strict ISO parser and keep every value as an aware UTC `datetime`.
"""

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

import orjson

from ._errors import describe

if TYPE_CHECKING:
    from dateutil.parser import isoparser

# Bandwidth's own shape, 188 of its 191 published values: ``2019-09-13T16:50:53.788Z``, 24
# characters. Where every third character from the fifth is one of these separators and the
# 24th is the ``Z``, the standard library's C parser reads the value exactly as dateutil does,
# many times faster, and it refuses any character but an ASCII digit in the other places (a
# property test pins the two parsers together). Slicing checks this faster than a regex.
BANDWIDTH_SKELETON = "--T::."


def is_bandwidth_shape(value: str) -> bool:
    """Tell whether the standard library may read this timestamp in dateutil's stead."""
    return value[4:20:3] == BANDWIDTH_SKELETON and value[23:] == "Z"


def parse_timestamp(value: object) -> datetime:
    """Read a wire timestamp into an aware UTC `datetime`; a value with no zone is UTC.

    Raises:
        TypeError: The value is not a string.
        ValueError: The string is not an ISO 8601 date and time.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp string, received {describe(value)}")
    if is_bandwidth_shape(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass  # an impossible date: the general parser says why
    return _parse_general(value)


def _parse_general(value: str) -> datetime:
    """Read any ISO 8601 date and time dateutil's strict parser knows (the slow path)."""
    # A date alone is valid ISO 8601 but is not a moment: require the time part.
    if "T" not in value:
        raise ValueError(f"expected an ISO 8601 date and time, received {describe(value)}")
    try:
        parsed = _general_parser().isoparse(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"expected an ISO 8601 date and time, received {describe(value)}: {exc}"
        ) from exc


@cache
def _general_parser() -> "isoparser":
    # Imported on first use: Bandwidth's own shape never needs it, and it costs milliseconds.
    from dateutil.parser import isoparser  # noqa: PLC0415

    # sep="T": the default parser takes any character between date and time, so Bandwidth's
    # published malformed value 2019-09-13-16:48:27.198Z would parse as a valid time.
    return isoparser(sep="T")


def format_timestamp(value: datetime) -> str:
    """Write an aware `datetime` the way Bandwidth does: UTC, ``Z``, milliseconds.

    Microseconds are written only when the value has them, so nothing is lost.
    """
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # orjson writes RFC 3339 (b'"2019-09-13T16:50:53.788000Z"', no fraction when it is zero)
    # several times faster than datetime.isoformat(); keep milliseconds unless finer is needed.
    quoted = orjson.dumps(value, option=orjson.OPT_UTC_Z)
    micro = value.microsecond
    if not micro:
        return quoted[1:20].decode() + ".000Z"
    return (quoted[1:24] if micro % 1000 == 0 else quoted[1:27]).decode() + "Z"


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
