"""ISO 8601 durations as Bandwidth (Java's ``Duration.toString()``) writes them.

Bandwidth writes ``PT20.056S``, ``PT1M52.217257456S``, ``PT0S``: hours, minutes and seconds,
zero units left out, up to nine fractional digits. isodate reads any ISO 8601 duration; we keep
the ones that have a fixed length and are not negative. Java's shape is read exactly, to the
nanosecond: a value finer than `timedelta`'s microseconds is a `PreciseDuration`, which keeps
the rest and writes it back.
"""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final, Self, SupportsIndex

from ._errors import describe

# The shape Java writes: read exactly with integers, which is what isodate gives too, up to its
# rounding of nanoseconds (a property test pins the two together). Days, longer fractions and
# the rest take isodate's path.
_JAVA_SHAPE = re.compile(
    r"PT(?=[0-9])(?:([0-9]{1,11})H)?(?:([0-9]{1,2})M)?(?:([0-9]{1,2})(?:\.([0-9]{1,9}))?S)?"
)
_match_java_shape = _JAVA_SHAPE.fullmatch

#: The commonest of them, seconds with a fraction and at most minutes before them
#: (``PT20.056S``, ``PT4.9891287S``, ``PT1M52.217257456S``), the generated readers read inline,
#: split at the point: the whole seconds before it and, to the millisecond, the fraction after
#: it are looked up, and added (a ``timedelta`` addition costs a third of building one); a
#: finer fraction is read with `exact_duration`. Lookups of the texts as Java writes them:
#: a few thousand at most, each read once, on first use.
_MINUTES_AND_SECONDS = re.compile(r"PT(?:([1-9]|[1-5][0-9])M)?([0-9]|[1-5][0-9])").fullmatch


class _WholeSeconds(dict[str, timedelta | None]):
    """The seconds before a duration's point, by its text up to the point (``PT1M52``).

    Java's minutes and seconds only, each under 60 with no leading zero (3,600 texts): a
    ``timedelta`` under an hour. ``None`` for any other text, which is not kept.
    """

    def __missing__(self, head: str) -> timedelta | None:
        match = _MINUTES_AND_SECONDS(head)
        if match is None:
            return None
        minutes, seconds = match.groups()
        self[head] = whole = timedelta(minutes=int(minutes or 0), seconds=int(seconds))
        return whole


WHOLE_SECONDS: Final[Mapping[str, timedelta | None]] = _WholeSeconds()
#: Each fraction of one to three digits read so far, by its text after the point, with its
#: ``S`` (``056S``): 1,110 at most. `fraction_of_second` adds to it.
FRACTIONS: Final[dict[str, timedelta]] = {}


def fraction_of_second(tail: str, digits: str) -> timedelta:
    """Give the `timedelta` of one to three digits of a second (``"056"``: 56 milliseconds).

    Kept in `FRACTIONS` under ``tail``, the digits and their ``S``.
    """
    FRACTIONS[tail] = fraction = timedelta(microseconds=int(digits.ljust(6, "0")))
    return fraction


_new_timedelta: Final = timedelta.__new__
#: What one unit of the last of so many fractional digits is, in nanoseconds: 10 ** (9 - n).
_NANOSECONDS_PER_UNIT: Final = tuple(10 ** (9 - n) for n in range(10))


def exact_duration(seconds: int, digits: str) -> timedelta:
    """Give the duration of whole seconds and one to nine fractional digits, exactly.

    A `PreciseDuration` past the microsecond: a `timedelta` holds it only when the rest are zeros.

    Raises:
        OverflowError: Longer than `timedelta` can be.
    """
    # A multiplication by a looked-up power of ten, and two operators, not the digits padded
    # with zeros and a divmod call: about 400 fewer instructions (callgrind).
    fraction = int(digits) * _NANOSECONDS_PER_UNIT[len(digits)]
    nanoseconds = fraction % 1000
    if nanoseconds:
        # _precise's two lines, inline: the call would add a tenth of this function's cost.
        self = _new_timedelta(PreciseDuration, 0, seconds, fraction // 1000)
        self._nanoseconds = nanoseconds  # pyright: ignore[reportPrivateUsage]
        return self
    return timedelta(0, seconds, fraction // 1000)


def parse_duration(value: object) -> timedelta:
    """Read a wire duration (``PT20.056S``) into a `timedelta`.

    Raises:
        TypeError: The value is not a string.
        ValueError: The string is not an ISO 8601 duration, has calendar units (years or
            months have no fixed length) or is negative.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 duration string, received {describe(value)}")
    java = _match_java_shape(value)
    if java is None:
        return _parse_general(value)
    hours, minutes, seconds, fraction = java.groups()
    total = int(seconds) if seconds else 0
    if minutes:
        total += 60 * int(minutes)
    if hours:
        total += 3600 * int(hours)
    try:
        return exact_duration(total, fraction or "0")
    except OverflowError as exc:
        raise ValueError(
            f"expected an ISO 8601 duration, received {describe(value)}: {exc}"
        ) from exc


def _parse_general(value: str) -> timedelta:
    """Read any ISO 8601 duration isodate knows (the slow path)."""
    # isodate reads "P" + "T" with no unit at all as zero; ISO 8601 requires one.
    if not any(char.isdigit() for char in value):
        raise ValueError(f"expected an ISO 8601 duration, received {describe(value)}")
    import isodate  # noqa: PLC0415 -- on first use: Java's shape never needs it

    try:
        parsed = isodate.parse_duration(value)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"expected an ISO 8601 duration, received {describe(value)}: {exc}"
        ) from exc
    if not isinstance(parsed, timedelta):
        raise ValueError(  # noqa: TRY004 -- a value problem: the string is well-formed
            "expected a duration of fixed length (hours, minutes, seconds), received "
            f"{describe(value)}: years and months have no fixed length"
        )
    if parsed < timedelta(0):
        raise ValueError(f"expected a duration that is not negative, received {describe(value)}")
    return parsed


def format_duration(value: timedelta) -> str:
    """Write a `timedelta` the way Java's ``Duration.toString()`` does.

    Hours, minutes and seconds, no zero units, no trailing fractional zeros; ``PT0S`` for zero.
    A `PreciseDuration` is written to the nanosecond.
    """
    # The parts a timedelta keeps, not a division, and tables for the digits: this runs for
    # every event written. A fraction is written in groups of three digits, the last with its
    # trailing zeros left out, so that nothing is formatted or stripped here; whole seconds
    # and minutes under 60 are looked up too. A plain timedelta is told apart by its class.
    seconds = value.days * 86400 + value.seconds
    micros = value.microseconds
    nanos = (
        value._nanoseconds  # noqa: SLF001  # pyright: ignore[reportPrivateUsage] -- this module's class
        if value.__class__ is not timedelta and isinstance(value, PreciseDuration)
        else 0
    )
    if nanos:
        fraction = f".{_DIGITS[micros // 1000]}{_DIGITS[micros % 1000]}{_LAST[nanos]}"
    elif micros % 1000:
        fraction = f".{_DIGITS[micros // 1000]}{_LAST[micros % 1000]}"
    else:
        fraction = _MILLISECONDS[micros // 1000]
    if seconds < 60:  # noqa: PLR2004 -- a minute
        return f"PT{_SIXTY[seconds]}{fraction}S" if seconds or fraction else "PT0S"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:  # noqa: PLR2004 -- an hour
        if seconds or fraction:
            return f"PT{_SIXTY[minutes]}M{_SIXTY[seconds]}{fraction}S"
        return f"PT{_SIXTY[minutes]}M"
    hours, minutes = divmod(minutes, 60)
    text = f"PT{hours}H{_SIXTY[minutes]}M" if minutes else f"PT{hours}H"
    return f"{text}{_SIXTY[seconds]}{fraction}S" if seconds or fraction else text


#: 0 to 999 as three digits: ``"056"``.
_DIGITS: Final = tuple(f"{n:03d}" for n in range(1000))
#: The same, as the last digits of a fraction, trailing zeros left out: ``"05"``, and ``""``.
_LAST: Final = tuple(digits.rstrip("0") for digits in _DIGITS)
#: Each whole number of milliseconds as a fraction of a second: ``""`` for none, ``".5"`` for 500.
_MILLISECONDS: Final = ("", *("." + digits for digits in _LAST[1:]))
#: 0 to 59 in decimal.
_SIXTY: Final = tuple(str(n) for n in range(60))


class PreciseDuration(timedelta):
    """A `timedelta` that also keeps the nanoseconds past its microseconds.

    Bandwidth writes durations to the nanosecond (``PT4.9891287S``); a value finer than a
    microsecond is read as one of these, so that it is written back exactly. It is a
    `timedelta` in every other way, at microsecond precision: arithmetic gives a plain
    `timedelta`. It equals another duration only when the nanoseconds match too.

    Attributes:
        nanoseconds: The nanoseconds past ``microseconds``, 0 to 999.
    """

    __slots__ = ("_nanoseconds",)
    _nanoseconds: int

    def __new__(cls, *args: Any, nanoseconds: int = 0, **kwargs: Any) -> Self:  # noqa: ANN401 -- timedelta's own arguments
        """Make a duration: `timedelta`'s arguments, and the nanoseconds past them."""
        if type(nanoseconds) is not int or not 0 <= nanoseconds <= 999:  # noqa: PLR2004
            raise ValueError(f"nanoseconds must be an integer from 0 to 999, got {nanoseconds!r}")
        self = super().__new__(cls, *args, **kwargs)
        self._nanoseconds = nanoseconds
        return self

    @property
    def nanoseconds(self) -> int:
        """The nanoseconds past ``microseconds``, 0 to 999."""
        return self._nanoseconds

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, timedelta):
            return NotImplemented
        theirs = other._nanoseconds if isinstance(other, PreciseDuration) else 0
        return timedelta.__eq__(self, other) and self._nanoseconds == theirs

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        base = timedelta.__hash__(self)
        return hash((base, self._nanoseconds)) if self._nanoseconds else base

    def __repr__(self) -> str:
        return f"{timedelta.__repr__(self)[:-1]}, nanoseconds={self._nanoseconds})"

    def __str__(self) -> str:
        text = timedelta.__str__(self)
        return (
            f"{text}{self._nanoseconds:03d}"
            if self.microseconds
            else f"{text}.000000{self._nanoseconds:03d}"
        )

    def __reduce_ex__(self, _protocol: SupportsIndex) -> tuple[Any, ...]:
        return (_precise, (self.days, self.seconds, self.microseconds, self._nanoseconds))


def _precise(days: int, seconds: int, microseconds: int, nanoseconds: int) -> PreciseDuration:
    # timedelta's own constructor, without PreciseDuration's checks: the callers' nanoseconds
    # are three digits already. The slot is set as an attribute, which the interpreter does
    # inline (PreciseDuration is this module's own).
    self = _new_timedelta(PreciseDuration, days, seconds, microseconds)
    self._nanoseconds = nanoseconds  # pyright: ignore[reportPrivateUsage]
    return self


def with_nanoseconds(value: timedelta, nanoseconds: int) -> timedelta:
    """Give a duration with these nanoseconds past its microseconds (a plain one for none)."""
    if not nanoseconds:
        return timedelta(value.days, value.seconds, value.microseconds)
    return _precise(value.days, value.seconds, value.microseconds, nanoseconds)


def require_not_negative(_instance: object, _attribute: object, value: timedelta) -> None:
    """Refuse a negative duration: the attrs validator of every duration field.

    Raises:
        ValueError: The duration is negative.
    """
    if value < timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {value!r}")
