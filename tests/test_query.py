"""Callbacks sent with GET: the event's fields as query parameters, read and written back."""

import json
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest
from hypothesis import assume, given

from bandwidth_events import (
    Answer,
    ConferenceRecordingAvailable,
    EventParseError,
    MachineDetectionResult,
    UnknownEvent,
    parse_event,
    parse_query,
    to_query,
)

from .conftest import PAYLOADS, golden
from .strategies import voice_events, voice_payloads

BODIES = sorted(p.stem for p in PAYLOADS.glob("*.json") if p.stem != "recordingAvailable-2")


def errors(query: Any) -> dict[str, str]:
    """Give the problems parse_query names for a query it refuses."""
    with pytest.raises(EventParseError) as info:
        parse_query(query)
    assert info.value.body is query
    return dict(info.value.errors)


@pytest.mark.parametrize("name", BODIES)
def test_every_published_body_travels_as_a_query(name: str) -> None:
    """Each published body, sent as query parameters, reads back as the same event."""
    event = parse_event(golden(name))
    query = to_query(event)

    assert parse_query(query) == event
    assert to_query(parse_query(query)) == query
    assert parse_query("?" + query) == event
    assert parse_query(query.encode()) == event
    assert parse_query(dict(parse_qsl(query, keep_blank_values=True))) == event
    assert parse_query(parse_qs(query, keep_blank_values=True)) == event


def test_values_are_read_as_their_fields_types() -> None:
    """Texts become what the field is: an integer, a nested object; a number stays text."""
    query = urlencode(
        {
            "eventType": "conferenceRecordingAvailable",
            "eventTime": "2019-09-13T16:50:53.788Z",
            "conferenceId": "conf-1",
            "name": "standup",
            "accountId": "55555555",
            "recordingId": "r-1",
            "channels": "1",
            "startTime": "2019-09-13T16:48:29.235Z",
            "endTime": "2019-09-13T16:48:48.890Z",
            "duration": "PT20.056S",
            "fileFormat": "wav",
            "status": "complete",
            "region": "7",
        }
    )

    event = parse_query(query, ConferenceRecordingAvailable)

    assert (event.channels, event.account_id) == (1, "55555555")
    assert event.extra_fields == {"region": "7"}  # not modelled: kept as the text it was
    assert to_query(event) == query


def test_nested_objects_are_json_text() -> None:
    """A nested object travels as one parameter holding its JSON text."""
    event = parse_event(golden("answer-3"), Answer)

    params = dict(parse_qsl(to_query(event)))

    assert json.loads(params["machineDetectionResult"]) == {
        "value": "answering-machine",
        "duration": "PT5.045329368S",
    }
    assert isinstance(parse_query(params, Answer).machine_detection_result, MachineDetectionResult)


class TestRefused:
    def test_a_bad_value_is_named_as_for_json(self) -> None:
        """A value the field cannot take is named, with what was received."""
        params = dict(parse_qsl(to_query(parse_event(golden("conferenceRecordingAvailable")))))

        assert errors(params | {"channels": "one"}) == {
            "channels": 'expected an integer, received "one" (string)'
        }

    def test_a_nested_object_that_is_not_json(self) -> None:
        """A nested object's text that is not JSON is named."""
        params = dict(parse_qsl(to_query(parse_event(golden("answer-3")))))

        assert errors(params | {"machineDetectionResult": "human"}) == {
            "machineDetectionResult": 'expected a JSON object, received "human" (string)'
        }

    def test_a_parameter_given_twice(self) -> None:
        """A name given twice is ambiguous: refused, both values shown."""
        assert errors("eventType=disconnect&callId=a&callId=b") == {
            "callId": 'given more than once, received "a" (string) and "b" (string)'
        }
        assert errors({"eventType": "disconnect", "callId": ["a", "b"]}) == {
            "callId": "expected one value, received 2"
        }

    @pytest.mark.parametrize("query", [b"eventType=%ff", "eventType=%FF", b"\xff=1"])
    def test_text_that_is_not_utf8(self, query: str | bytes) -> None:
        """Bytes or escapes that are not UTF-8 are refused, never a UnicodeDecodeError."""
        assert list(errors(query)) == ["$"]

    def test_a_mapping_of_other_things(self) -> None:
        """A mapping whose values are not text is refused by name."""
        assert errors({"eventType": 3}) == {"eventType": "expected text, received 3 (number)"}

    def test_too_many_parameters(self) -> None:
        """Thousands of parameters are no callback."""
        assert list(errors("&".join(f"a{i}=1" for i in range(2000)))) == ["$"]


def test_an_unknown_event_keeps_its_texts() -> None:
    """An eventType not modelled gives an UnknownEvent of the texts received."""
    event = parse_query("eventType=callQueued&callId=c-1&position=3")

    assert isinstance(event, UnknownEvent)
    assert dict(event.payload) == {"eventType": "callQueued", "callId": "c-1", "position": "3"}
    assert to_query(event) == "eventType=callQueued&callId=c-1&position=3"


# A query holds only text: an unknown parameter (one no field reads) is kept as its text, so the
# events and bodies below have text in their unknown top-level fields (nested objects travel as
# JSON, unknown keys and all).


@given(voice_events)
def test_any_event_travels_as_a_query(event: Any) -> None:
    """Any event, written as a query, reads back equal."""
    assume(all(isinstance(value, str) for value in event.extra_fields.values()))

    assert parse_query(to_query(event)) == event


@given(voice_payloads)
def test_any_bandwidth_body_travels_as_a_query_exactly(payload: dict[str, Any]) -> None:
    """Any body in Bandwidth's format reads the same from its query, and writes it back."""
    event = parse_event(payload)
    assert not isinstance(event, UnknownEvent)
    assume(all(isinstance(value, str) for value in event.extra_fields.values()))
    query = to_query(event)

    assert parse_query(query) == event
    assert to_query(parse_query(query)) == query
