"""Durations: Java's Duration.toString() shapes in, the same shapes out."""

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bandwidth_events import PreciseDuration
from bandwidth_events._durations import (
    FRACTIONS,
    WHOLE_SECONDS,
    format_duration,
    fraction_of_second,
    parse_duration,
    require_not_negative,
    with_nanoseconds,
)

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
        # Up to nine fractional digits, every nanosecond kept:
        ("PT4.9891287S", PreciseDuration(seconds=4, microseconds=989128, nanoseconds=700)),
        ("PT1M52.217257456S", PreciseDuration(seconds=112, microseconds=217257, nanoseconds=456)),
        ("PT0.0000004S", PreciseDuration(0, nanoseconds=400)),
        ("PT0.999999999S", PreciseDuration(seconds=0, microseconds=999999, nanoseconds=999)),
        # Finer than Java writes, or in a shape it does not: isodate's rounding.
        ("PT0.9999999999S", timedelta(seconds=1)),
        ("P1DT0.0000004S", timedelta(days=1)),
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
        (timedelta(hours=1, minutes=1), "PT1H1M"),
        (timedelta(hours=2, minutes=3, seconds=4, milliseconds=500), "PT2H3M4.5S"),
        (timedelta(minutes=1, microseconds=250), "PT1M0.00025S"),
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


def test_an_out_of_range_duration_is_a_value_error() -> None:
    """Java's shape past what a timedelta holds is refused as a value, not an overflow."""
    with pytest.raises(ValueError, match="expected an ISO 8601 duration"):
        parse_duration("PT99999999999H")


@pytest.mark.parametrize("nanoseconds", [-1, 1000, "5", 1.0])
def test_precise_duration_refuses_impossible_nanoseconds(nanoseconds: Any) -> None:
    """A PreciseDuration keeps 0 to 999 nanoseconds past its microseconds, nothing else."""
    with pytest.raises(ValueError, match="nanoseconds must be an integer from 0 to 999"):
        PreciseDuration(seconds=1, nanoseconds=nanoseconds)


def test_precise_duration_compares_hashes_and_prints_to_the_nanosecond() -> None:
    """Nanoseconds count in equality and the hash; without them it is the plain timedelta."""
    precise = PreciseDuration(seconds=4, microseconds=989128, nanoseconds=700)
    whole = PreciseDuration(seconds=4, microseconds=989128)

    assert precise != timedelta(seconds=4, microseconds=989128)
    assert timedelta(seconds=4, microseconds=989128) != precise
    assert whole == timedelta(seconds=4, microseconds=989128)
    assert hash(whole) == hash(timedelta(seconds=4, microseconds=989128))
    assert hash(precise) != hash(whole)
    assert precise != "PT4.9891287S"
    assert not precise == "PT4.9891287S"  # noqa: SIM201 -- __eq__ itself, not __ne__
    assert str(precise) == "0:00:04.989128700"
    assert str(PreciseDuration(seconds=1, nanoseconds=5)) == "0:00:01.000000005"
    assert repr(precise) == "PreciseDuration(seconds=4, microseconds=989128, nanoseconds=700)"
    assert precise + timedelta(0) == timedelta(seconds=4, microseconds=989128)
    assert format_duration(precise) == "PT4.9891287S"
    assert format_duration(PreciseDuration(nanoseconds=5)) == "PT0.000000005S"


def test_with_nanoseconds_gives_a_plain_timedelta_for_none() -> None:
    """Adding no nanoseconds gives a plain timedelta; some give a PreciseDuration."""
    plain = with_nanoseconds(PreciseDuration(seconds=1, nanoseconds=5), 0)

    assert type(plain) is timedelta
    assert plain == timedelta(seconds=1)
    assert with_nanoseconds(timedelta(seconds=1), 5) == PreciseDuration(seconds=1, nanoseconds=5)


# The texts before a point Java writes: minutes and seconds, each under 60 with no leading zero,
# no zero minutes.
_JAVAS = {f"PT{s}" for s in range(60)} | {f"PT{m}M{s}" for m in range(1, 60) for s in range(60)}
# Those, and others near them.
_heads = (
    st.sampled_from(sorted(_JAVAS))
    | st.from_regex(r"\APT([0-9]{1,3}M)?[0-9]{1,3}\Z")
    | st.from_regex(r"\APT([0-9]{1,2}H)?([0-9]{1,2}M)?[0-9]{0,2}S?\Z")
)


@given(_heads | st.text())
@example("PT0")
@example("PT59M59")
@example("PT05")
@example("PT0M5")
@example("PT60")
def test_whole_seconds_before_the_point_are_kept_for_javas_texts_only(head: str) -> None:
    """The seconds before a point read as the full reader reads them; kept only for Java's texts.

    Those are 3,600 at most. Any other text is left to the full reader, and not kept.
    """
    whole = WHOLE_SECONDS[head]

    if head in _JAVAS:
        assert whole == parse_duration(head + "S")
        assert head in WHOLE_SECONDS
    else:
        assert whole is None
        assert head not in WHOLE_SECONDS


@given(st.from_regex(r"\A[0-9]{1,3}\Z"))
def test_a_fraction_to_the_millisecond_is_read_and_kept(digits: str) -> None:
    """One to three digits after the point: their timedelta, kept under the digits and their S."""
    fraction = fraction_of_second(digits + "S", digits)

    assert fraction == parse_duration(f"PT0.{digits}S")
    assert FRACTIONS[digits + "S"] is fraction
