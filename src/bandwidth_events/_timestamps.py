"""ISO 8601 timestamps as Bandwidth writes them, and as it might.

Bandwidth writes ``2019-09-13T16:50:53.788Z``; its published examples also show no zone at all
(meant as UTC), minute precision, and numeric offsets are valid ISO 8601. We read all of those
with dateutil's strict ISO parser and keep every value as an aware UTC `datetime`. A value finer
than a microsecond (Java writes up to nanoseconds) is a `PreciseTimestamp`, which keeps the rest
and writes it back.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Self, SupportsIndex

import orjson

from ._errors import describe

if TYPE_CHECKING:
    from dateutil.parser import isoparser

# Bandwidth's own shape, 188 of its 191 published values: ``2019-09-13T16:50:53.788Z``, 24
# characters. Where every third character from the fifth is one of these separators and the
# 24th is the ``Z``, the standard library's C parser reads the value exactly as dateutil does,
# many times faster, and it refuses any character but an ASCII digit in the other places (a
# property test pins the two parsers together). Slicing checks this faster than a regex, or
# than a test of each character; with the slices made once, faster still (written in an
# expression, a slice is made each time it runs).
BANDWIDTH_TEMPLATE: Final = b"0000-00-00T00:00:00.000Z"  # each 0 a digit
SKELETON_PLACES: Final = slice(4, 20, 3)
ZONE_PLACE: Final = slice(23, None)
BANDWIDTH_SKELETON: Final = BANDWIDTH_TEMPLATE.decode()[SKELETON_PLACES]  # "--T::."


#: The same shape (`BANDWIDTH_TEMPLATE`), for several values at once: joined with ``,`` and
#: encoded, with each ASCII digit but ``0`` translated to ``0`` (`DIGITS_AS_ZERO`), n values in
#: that shape give ``SHAPES[n]``, the template n times joined with ``,``; and only they do.
#: No value holds a ``,`` (there would be more of them than the ``n - 1`` the join puts), so
#: each is one of the pieces between them, and each piece is the template: 24 characters,
#: ASCII digits where it has ``0``, the rest as it is. One join, one encoding and one
#: translation (one C loop over the bytes) check them all: about 2,600 instructions and 200
#: more a value, where the check of one costs about 900 (see ``_reader.READ_TOGETHER_FROM``).
DIGITS_AS_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")


class _Repeated(dict[int, bytes]):
    """`BANDWIDTH_TEMPLATE` n times, joined with ``,``, by n; each made on first use."""

    def __missing__(self, count: int) -> bytes:
        self[count] = shapes = b",".join([BANDWIDTH_TEMPLATE] * count)
        return shapes


SHAPES: Final[Mapping[int, bytes]] = _Repeated()

_fromisoformat: Final = datetime.fromisoformat


def parse_timestamp(value: object) -> datetime:
    """Read a wire timestamp into an aware UTC `datetime`; a value with no zone is UTC.

    Raises:
        TypeError: The value is not a string.
        ValueError: The string is not an ISO 8601 date and time.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp string, received {describe(value)}")
    # Bandwidth's shape, or the same less its Z (two of its published examples write that,
    # meant as UTC): the standard library reads either. The checks are written out here: as two
    # calls, they made a value with no zone cost 2,100 instructions more, a third (callgrind).
    # With no zone, the fraction must be three digits, as in Bandwidth's shape.
    if value[SKELETON_PLACES] == BANDWIDTH_SKELETON:
        try:
            if value[ZONE_PLACE] == "Z":
                return _fromisoformat(value)
            if len(value) == 23 and value[20:].isdigit():  # noqa: PLR2004
                # Given its Z, which is several times faster than replacing the zone after.
                return _fromisoformat(value + "Z")
        except ValueError:
            pass  # an impossible date: the general parser says why
    return _parse_general(value)


# The fraction of a second past its microseconds, which both parsers drop.
_NANOSECONDS = re.compile(r"[.,][0-9]{6}([0-9]{1,3})")


def _parse_general(value: str) -> datetime:
    """Read any ISO 8601 date and time dateutil's strict parser knows (the slow path)."""
    # A date alone is valid ISO 8601 but is not a moment: require the time part.
    if "T" not in value:
        raise ValueError(f"expected an ISO 8601 date and time, received {describe(value)}")
    try:
        parsed = _general_parser().isoparse(value)
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"expected an ISO 8601 date and time, received {describe(value)}: {exc}"
        ) from exc
    finer = _NANOSECONDS.search(value, value.index("T"))
    return parsed if finer is None else with_nanosecond(parsed, int(finer[1].ljust(3, "0")))


@cache
def _general_parser() -> "isoparser":
    # Imported on first use: Bandwidth's own shape never needs it, and it costs milliseconds.
    from dateutil.parser import isoparser  # noqa: PLC0415

    # sep="T": the default parser takes any character between date and time, so Bandwidth's
    # published malformed value 2019-09-13-16:48:27.198Z would parse as a valid time.
    return isoparser(sep="T")


def format_timestamp(value: datetime) -> str:
    """Write an aware `datetime` the way Bandwidth (Java's ``Instant``) does: UTC, ``Z``.

    Milliseconds, or microseconds or nanoseconds when the value has them, so nothing is lost.
    """
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # orjson writes RFC 3339 (b'"2019-09-13T16:50:53.788000Z"', no fraction when it is zero)
    # several times faster than datetime.isoformat(); keep milliseconds unless finer is needed.
    micro = value.microsecond
    if isinstance(value, PreciseTimestamp):  # orjson takes no subclass
        text = datetime.isoformat(value, timespec="seconds")[:19]  # strftime drops year zeros
        return (
            f"{text}.{micro:06d}{value.nanosecond:03d}Z"
            if value.nanosecond
            else (format_timestamp(with_nanosecond(value, 0)))
        )
    quoted = orjson.dumps(value, option=orjson.OPT_UTC_Z)
    if not micro:
        return quoted[1:20].decode() + ".000Z"
    return (quoted[1:24] if micro % 1000 == 0 else quoted[1:27]).decode() + "Z"


class PreciseTimestamp(datetime):
    """A `datetime` that also keeps the nanoseconds past its microseconds.

    A timestamp finer than a microsecond (``2019-09-13T16:50:53.788123456Z``) is read as one of
    these, so that it is written back exactly. It is a `datetime` in every other way, at
    microsecond precision: arithmetic and ``replace`` give microseconds only. It equals another
    moment only when the nanoseconds match too.

    Attributes:
        nanosecond: The nanoseconds past ``microsecond``, 0 to 999.
    """

    __slots__ = ("_nanosecond",)
    _nanosecond: int

    def __new__(cls, *args: Any, nanosecond: int = 0, **kwargs: Any) -> Self:  # noqa: ANN401 -- datetime's own arguments
        """Make a moment: `datetime`'s arguments, and the nanoseconds past them."""
        if type(nanosecond) is not int or not 0 <= nanosecond <= 999:  # noqa: PLR2004
            raise ValueError(f"nanosecond must be an integer from 0 to 999, got {nanosecond!r}")
        self = super().__new__(cls, *args, **kwargs)
        self._nanosecond = nanosecond
        return self

    @property
    def nanosecond(self) -> int:
        """The nanoseconds past ``microsecond``, 0 to 999."""
        return self._nanosecond

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        theirs = other._nanosecond if isinstance(other, PreciseTimestamp) else 0
        return datetime.__eq__(self, other) and self._nanosecond == theirs

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        base = datetime.__hash__(self)
        return hash((base, self._nanosecond)) if self._nanosecond else base

    def __repr__(self) -> str:
        return f"{datetime.__repr__(self)[:-1]}, nanosecond={self._nanosecond})"

    def __str__(self) -> str:
        return self.isoformat(sep=" ")

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        """Write ISO 8601 as `datetime.isoformat` does, to the nanosecond with the default."""
        text = datetime.isoformat(self, sep, timespec)
        if timespec != "auto" or not self._nanosecond:
            return text
        head, zone = text[:26], text[26:]
        if not self.microsecond:  # no fraction written at all
            head, zone = text[:19] + ".000000", text[19:]
        return f"{head}{self._nanosecond:03d}{zone}"

    def __reduce_ex__(self, _protocol: SupportsIndex) -> tuple[Any, ...]:
        return (with_nanosecond, (with_nanosecond(self, 0), self._nanosecond))


def with_nanosecond(value: datetime, nanosecond: int) -> datetime:
    """Give a moment with these nanoseconds past its microseconds (a plain one for none)."""
    parts = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    if not nanosecond:
        return datetime(*parts, value.microsecond, value.tzinfo, fold=value.fold)  # noqa: DTZ001 -- the tzinfo is passed
    return PreciseTimestamp(
        *parts, value.microsecond, value.tzinfo, fold=value.fold, nanosecond=nanosecond
    )


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
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"{value.isoformat()} is out of range in UTC") from exc
    # astimezone makes a new instance: carry the nanoseconds over.
    return with_nanosecond(utc, value.nanosecond) if isinstance(value, PreciseTimestamp) else utc
