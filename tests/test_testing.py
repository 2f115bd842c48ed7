"""bandwidth_events.testing: its strategies give what Bandwidth documents and the library reads."""

from datetime import timedelta
from typing import Any

import isodate
from hypothesis import given
from hypothesis import strategies as st

from bandwidth_events import (
    ConferenceEvent,
    ConferenceRecordingAvailable,
    parse_event,
    testing,
    to_dict,
)
from bandwidth_events.testing import wire_durations

from .strategies import ALL_KEYS, WIRE_KEYS, required_keys


@given(st.sampled_from(list(WIRE_KEYS)), st.data())
def test_payloads_have_the_documented_fields(
    cls: type[ConferenceEvent], data: st.DataObject
) -> None:
    """A generated body has every required documented field, and unknown ones never reuse a name."""
    payload: dict[str, Any] = data.draw(testing.payloads(cls))

    assert payload["eventType"] == cls.event_type
    assert set(required_keys(cls)) <= payload.keys()
    assert not (payload.keys() - WIRE_KEYS[cls]) & ALL_KEYS
    assert type(parse_event(payload)) is cls
    assert to_dict(parse_event(payload)) == payload


@given(testing.conference_events())
def test_events_are_valid_and_survive_the_wire(event: ConferenceEvent) -> None:
    """A generated event of any class reads back equal from its wire form."""
    assert parse_event(to_dict(event)) == event


@given(wire_durations())
def test_nine_digit_durations_parse(text: str) -> None:
    """Durations with Bandwidth's up to nine fractional digits parse (to the microsecond)."""
    event = parse_event(
        {
            "eventType": "conferenceRecordingAvailable",
            "eventTime": "2019-09-13T16:50:53.788Z",
            "conferenceId": "c",
            "name": "n",
            "accountId": "1",
            "recordingId": "r",
            "channels": 1,
            "startTime": "2019-09-13T16:50:53.788Z",
            "endTime": "2019-09-13T16:50:53.788Z",
            "duration": text,
            "fileFormat": "wav",
            "status": "complete",
        },
        ConferenceRecordingAvailable,
    )

    expected = isodate.parse_duration(text)
    assert isinstance(expected, timedelta)
    assert abs(event.duration - expected) <= timedelta(microseconds=1)


def test_strategies_are_the_documented_ones() -> None:
    """The module's public names are the documented helpers."""
    assert sorted(testing.__all__) == [
        "Attempt", "Delivery", "conference_events", "conference_payloads", "deliver",
        "events", "payloads", "wire_durations", "wire_timestamps",
    ]  # fmt: skip
