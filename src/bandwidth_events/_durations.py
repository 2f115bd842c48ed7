"""ISO 8601 durations as Bandwidth (Java's ``Duration.toString()``) writes them.

Bandwidth writes ``PT20.056S``, ``PT1M52.217257456S``, ``PT0S``: hours, minutes and seconds,
zero units left out, up to nine fractional digits. isodate reads any ISO 8601 duration; we keep
the ones that have a fixed length and are not negative, rounded to `timedelta`'s microseconds.
"""

from datetime import timedelta

import isodate

from ._errors import describe

_MICROSECONDS_PER_HOUR = 3_600_000_000
_MICROSECONDS_PER_MINUTE = 60_000_000
_MICROSECONDS_PER_SECOND = 1_000_000


def parse_duration(value: object) -> timedelta:
    """Read a wire duration (``PT20.056S``) into a `timedelta`.

    Raises:
        TypeError: The value is not a string.
        ValueError: The string is not an ISO 8601 duration, has calendar units (years or
            months have no fixed length) or is negative.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 duration string, received {describe(value)}")
    # isodate reads "P" + "T" with no unit at all as zero; ISO 8601 requires one.
    if not any(char.isdigit() for char in value):
        raise ValueError(f"expected an ISO 8601 duration, received {describe(value)}")
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
    total = value // timedelta(microseconds=1)
    if total == 0:
        return "PT0S"
    hours, total = divmod(total, _MICROSECONDS_PER_HOUR)
    minutes, total = divmod(total, _MICROSECONDS_PER_MINUTE)
    seconds, micros = divmod(total, _MICROSECONDS_PER_SECOND)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or micros:
        fraction = f".{micros:06d}".rstrip("0") if micros else ""
        text += f"{seconds}{fraction}S"
    return text


def require_not_negative(_instance: object, _attribute: object, value: timedelta) -> None:
    """Refuse a negative duration: the attrs validator of every duration field.

    Raises:
        ValueError: The duration is negative.
    """
    if value < timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {value!r}")
