"""Timestamps: every ISO 8601 shape Bandwidth sends or could send, and the one it writes."""

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given

from bandwidth_events import PreciseTimestamp
from bandwidth_events._timestamps import format_timestamp, parse_timestamp, to_utc

from .strategies import aware_datetimes, iso_shaped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-09-13T16:50:53.788Z", datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC)),
        ("2019-09-13T16:49:40.500", datetime(2019, 9, 13, 16, 49, 40, 500000, tzinfo=UTC)),
        ("2022-06-17T22:20Z", datetime(2022, 6, 17, 22, 20, tzinfo=UTC)),
        ("2019-09-13T18:50:53.788+02:00", datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC)),
        ("2019-09-13T11:50:53-05:00", datetime(2019, 9, 13, 16, 50, 53, tzinfo=UTC)),
        ("2019-09-13T16:50:53.123456Z", datetime(2019, 9, 13, 16, 50, 53, 123456, tzinfo=UTC)),
        ("20190913T165053Z", datetime(2019, 9, 13, 16, 50, 53, tzinfo=UTC)),
    ],
)
def test_accepted_shapes(text: str, expected: datetime) -> None:
    """Z, no zone (UTC), offsets, minute precision and microseconds all read as aware UTC."""
    parsed = parse_timestamp(text)

    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "2019-09-13-16:48:27.198Z",  # Bandwidth's published malformed value
        "2019-09-13X16:50:53Z",
        "2019-09-13",
        "2019-02-30T00:00:00Z",
        "2019-02-30T00:00:00.000Z",  # Bandwidth's shape, an impossible date
        "2019-09-13T25:00:00Z",
        "yesterday",
        "",
        "0001-01-01T00:00:00+01:00",  # before datetime.min once in UTC
    ],
)
def test_rejected_shapes(text: str) -> None:
    """Malformed or impossible timestamps are a ValueError naming the value."""
    with pytest.raises(ValueError, match="expected an ISO 8601 date and time, received"):
        parse_timestamp(text)


def test_non_string_is_a_type_error() -> None:
    """A number where a timestamp belongs is refused for its type."""
    with pytest.raises(TypeError, match="timestamp string, received 1 "):
        parse_timestamp(1)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC), "2019-09-13T16:50:53.788Z"),
        (datetime(2019, 9, 13, 16, 50, 53, tzinfo=UTC), "2019-09-13T16:50:53.000Z"),
        (datetime(2019, 9, 13, 16, 50, 53, 123456, tzinfo=UTC), "2019-09-13T16:50:53.123456Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
        (
            datetime(2019, 9, 13, 18, 50, tzinfo=timezone(timedelta(hours=2))),
            "2019-09-13T16:50:00.000Z",
        ),
    ],
)
def test_written_as_bandwidth_does(moment: datetime, text: str) -> None:
    """UTC, Z, milliseconds; microseconds only when the value has them."""
    assert format_timestamp(moment) == text


@given(aware_datetimes)
def test_write_then_read_is_identity(moment: datetime) -> None:
    """Every aware datetime survives being written and read back."""
    assert parse_timestamp(format_timestamp(moment)) == moment


@given(iso_shaped)
def test_any_string_is_a_timestamp_or_value_error(text: str) -> None:
    """No string makes the parser fail with anything but ValueError."""
    try:
        parsed = parse_timestamp(text)
    except ValueError:
        return
    assert parsed.tzinfo is UTC


def test_to_utc_normalises_aware_values() -> None:
    """An aware datetime in any zone becomes the same instant in UTC."""
    moment = datetime(2020, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))

    assert to_utc(moment) == moment
    assert to_utc(moment).tzinfo is UTC


def test_to_utc_refuses_naive_values() -> None:
    """A naive datetime is ambiguous and refused."""
    with pytest.raises(ValueError, match="naive datetime 2020-01-01T00:00:00 is ambiguous"):
        to_utc(datetime(2020, 1, 1))  # noqa: DTZ001


def test_to_utc_refuses_values_out_of_range_in_utc() -> None:
    """A value that has no UTC equivalent is refused as a ValueError."""
    with pytest.raises(ValueError, match="out of range in UTC"):
        to_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))


NANO = PreciseTimestamp(2019, 9, 13, 16, 50, 53, 788123, UTC, nanosecond=456)


@pytest.mark.parametrize("nanosecond", [-1, 1000, "5"])
def test_precise_timestamp_refuses_impossible_nanoseconds(nanosecond: Any) -> None:
    """A PreciseTimestamp keeps 0 to 999 nanoseconds past its microseconds, nothing else."""
    with pytest.raises(ValueError, match="nanosecond must be an integer from 0 to 999"):
        PreciseTimestamp(2019, 1, 1, tzinfo=UTC, nanosecond=nanosecond)


def test_precise_timestamp_reads_and_writes_nanoseconds() -> None:
    """A timestamp finer than a microsecond is read and written to the nanosecond."""
    parsed = parse_timestamp("2019-09-13T16:50:53.788123456Z")

    assert parsed == NANO
    assert isinstance(parsed, PreciseTimestamp)
    assert parsed.nanosecond == 456
    assert format_timestamp(parsed) == "2019-09-13T16:50:53.788123456Z"
    assert format_timestamp(parse_timestamp("2019-09-13T16:50:53.0000001Z")) == (
        "2019-09-13T16:50:53.000000100Z"
    )
    assert format_timestamp(PreciseTimestamp(2019, 9, 13, tzinfo=UTC)) == (
        "2019-09-13T00:00:00.000Z"
    )


def test_precise_timestamp_compares_hashes_and_prints_to_the_nanosecond() -> None:
    """Nanoseconds count in equality and the hash; without them it is the plain datetime."""
    plain = datetime(2019, 9, 13, 16, 50, 53, 788123, UTC)
    whole = PreciseTimestamp(2019, 9, 13, 16, 50, 53, 788123, UTC)

    assert plain != NANO
    assert plain != NANO
    assert whole == plain
    assert hash(whole) == hash(plain)
    assert hash(NANO) != hash(whole)
    assert NANO != "2019"
    assert not NANO == "2019"  # noqa: SIM201 -- __eq__ itself, not __ne__
    assert str(NANO) == "2019-09-13 16:50:53.788123456+00:00"
    assert NANO.isoformat(timespec="seconds") == "2019-09-13T16:50:53+00:00"
    assert whole.isoformat() == plain.isoformat()
    midnight = PreciseTimestamp(2019, 9, 13, tzinfo=UTC, nanosecond=7)
    assert midnight.isoformat() == "2019-09-13T00:00:00.000000007+00:00"
    assert repr(NANO).endswith("tzinfo=datetime.timezone.utc, nanosecond=456)")


def test_precise_timestamp_keeps_nanoseconds_through_utc_and_pickle() -> None:
    """Normalising to UTC and pickling keep the nanoseconds."""
    local = PreciseTimestamp(
        2019, 9, 13, 18, 50, 53, 788123, timezone(timedelta(hours=2)), nanosecond=456
    )

    assert to_utc(local) == NANO
    assert to_utc(local).tzinfo is UTC
    assert pickle.loads(pickle.dumps(NANO)) == NANO  # noqa: S301 -- our own bytes
    assert copy.deepcopy(NANO) == NANO
