"""Durations: Java's Duration.toString() shapes in, the same shapes out."""

from datetime import timedelta

import pytest
from hypothesis import given

from bandwidth_events._durations import format_duration, parse_duration, require_not_negative

from .strategies import bandwidth_durations, durations, iso_shaped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT20.056S", timedelta(seconds=20, milliseconds=56)),
        ("PT13.67S", timedelta(seconds=13, milliseconds=670)),
        ("PT0S", timedelta(0)),
        ("PT2H", timedelta(hours=2)),
        ("PT1M52.217S", timedelta(minutes=1, seconds=52, milliseconds=217)),
        ("P1D", timedelta(days=1)),
        ("PT1.5M", timedelta(seconds=90)),
        # Nine fractional digits, rounded to the microsecond:
        ("PT4.9891287S", timedelta(seconds=4, microseconds=989129)),
        ("PT1M52.217257456S", timedelta(minutes=1, seconds=52, microseconds=217257)),
        ("PT0.0000004S", timedelta(0)),
        ("PT0.999999999S", timedelta(seconds=1)),
    ],
)
def test_accepted_shapes(text: str, expected: timedelta) -> None:
    """Bandwidth's published durations, and other fixed-length ISO 8601 durations, read exactly."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("P1M", "fixed length"),
        ("P1Y", "fixed length"),
        ("P1Y2M3DT4H", "fixed length"),
        ("-PT1S", "not negative"),
        ("PT", "expected an ISO 8601 duration, received"),
        ("P", "expected an ISO 8601 duration, received"),
        ("20.056", "expected an ISO 8601 duration, received"),
        ("PT-1S", "expected an ISO 8601 duration, received"),
        ("PT99999999999999999H", "expected an ISO 8601 duration, received"),
    ],
)
def test_rejected_shapes(text: str, problem: str) -> None:
    """Calendar units, negative, empty, malformed and overflowing durations are ValueErrors."""
    with pytest.raises(ValueError, match=problem):
        parse_duration(text)


def test_non_string_is_a_type_error() -> None:
    """A number where a duration belongs is refused for its type."""
    with pytest.raises(TypeError, match=r"duration string, received 20\.056 "):
        parse_duration(20.056)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(seconds=20, milliseconds=56), "PT20.056S"),
        (timedelta(minutes=1, seconds=52, milliseconds=217), "PT1M52.217S"),
        (timedelta(hours=2), "PT2H"),
        (timedelta(0), "PT0S"),
        (timedelta(days=2, seconds=1), "PT48H1S"),
        (timedelta(hours=1, microseconds=1), "PT1H0.000001S"),
        (timedelta(milliseconds=500), "PT0.5S"),
        (timedelta(minutes=5), "PT5M"),
    ],
)
def test_written_as_java_does(value: timedelta, text: str) -> None:
    """Hours, minutes, seconds; no zero units; no trailing fractional zeros."""
    assert format_duration(value) == text


@given(durations)
def test_write_then_read_is_identity(value: timedelta) -> None:
    """Every non-negative timedelta survives being written and read back."""
    assert parse_duration(format_duration(value)) == value


@given(bandwidth_durations())
def test_bandwidth_shapes_are_written_back_unchanged(text: str) -> None:
    """A duration in Java's shape (at most microseconds) is written back character for character."""
    assert format_duration(parse_duration(text)) == text


@given(iso_shaped)
def test_any_string_is_a_duration_or_value_error(text: str) -> None:
    """No string makes the parser fail with anything but ValueError."""
    try:
        parsed = parse_duration(text)
    except ValueError:
        return
    assert parsed >= timedelta(0)


def test_negative_durations_are_refused_on_construction() -> None:
    """The field validator refuses what the parser refuses."""
    with pytest.raises(ValueError, match="cannot be negative"):
        require_not_negative(None, None, timedelta(microseconds=-1))
