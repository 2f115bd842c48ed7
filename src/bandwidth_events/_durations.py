"""ISO 8601 durations as Bandwidth (Java's ``Duration.toString()``) writes them.

Bandwidth writes ``PT20.056S``, ``PT1M52.217257456S``, ``PT0S``: hours, minutes and seconds,
zero units left out, up to nine fractional digits. isodate reads any ISO 8601 duration; we keep
the ones that have a fixed length and are not negative, rounded to `timedelta`'s microseconds.
"""

import re
from datetime import timedelta
from functools import cache
from typing import Final

from ._errors import describe

# The shape Java writes, with at most microseconds: read exactly with integers, which is what
# isodate gives too (a property test pins the two together). Longer fractions, days and the
# rest take isodate's path.
_JAVA_SHAPE = re.compile(
    r"PT(?=[0-9])(?:([0-9]{1,9})H)?(?:([0-9]{1,2})M)?(?:([0-9]{1,2})(?:\.([0-9]{1,6}))?S)?"
)
_match_java_shape = _JAVA_SHAPE.fullmatch
#: The commonest of them, seconds to the millisecond (``PT20.056S``), for the generated readers
#: to inline as ``WHOLE_SECONDS[m[1]] + fraction_of_second(m[2])``: a lookup and an addition of
#: timedeltas cost half of building one from integers.
match_seconds_shape = re.compile(r"PT([0-9]{1,2})\.([0-9]{1,3})S").fullmatch
WHOLE_SECONDS: Final = {
    f"{n:0{width}d}": timedelta(seconds=n) for width in (1, 2) for n in range(10**width)
}


@cache  # the shape above allows 1,110 fractions: built as they are first seen
def fraction_of_second(digits: str) -> timedelta:
    """Give the `timedelta` of a second's decimal fraction: ``"056"`` is 56 milliseconds."""
    return timedelta(microseconds=int(digits.ljust(6, "0")))


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
    return timedelta(0, total, int(fraction.ljust(6, "0")) if fraction else 0)


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
    """
    # The parts a timedelta keeps, not a division: this runs for every event written.
    minutes, seconds = divmod(value.days * 86400 + value.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    micros = value.microseconds
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or micros:
        fraction = f".{micros:06d}".rstrip("0") if micros else ""
        text += f"{seconds}{fraction}S"
    return "PT0S" if text == "PT" else text


def require_not_negative(_instance: object, _attribute: object, value: timedelta) -> None:
    """Refuse a negative duration: the attrs validator of every duration field.

    Raises:
        ValueError: The duration is negative.
    """
    if value < timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {value!r}")
