"""bandwidth_events.testing: its strategies give what Bandwidth documents and the library reads."""

import re
import subprocess
import sys
from datetime import timedelta
from typing import Any

import isodate
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bandwidth_events import (
    CallEvent,
    ConferenceEvent,
    ConferenceRecordingAvailable,
    Disconnect,
    MediaStream,
    RecordingAvailable,
    VoiceEvent,
    parse_event,
    testing,
    to_dict,
)
from bandwidth_events._naming import aliases
from bandwidth_events.testing import wire_durations

from .strategies import ALL_KEYS, EVENT_CLASSES, WIRE_KEYS, required_keys


@given(st.sampled_from(EVENT_CLASSES), st.data())
def test_payloads_have_the_documented_fields(cls: type[VoiceEvent], data: st.DataObject) -> None:
    """A generated body has every required documented field, and unknown ones never reuse a name."""
    payload: dict[str, Any] = data.draw(testing.payloads(cls))
    second = {alias: key for key, alias in aliases(cls).items()}
    keys = {second.get(key, key) for key in payload} - {"eventType"}

    assert payload["eventType"] in (cls.event_type, *cls.event_type_aliases)
    assert set(required_keys(cls)) <= keys
    assert not (keys - WIRE_KEYS[cls]) & ALL_KEYS
    assert type(parse_event(payload)) is cls
    assert to_dict(parse_event(payload)) == payload


@given(testing.events())
def test_events_are_valid_and_survive_the_wire(event: VoiceEvent) -> None:
    """A generated event of any class reads back equal from its wire form."""
    assert parse_event(to_dict(event)) == event


@pytest.mark.parametrize(
    ("strategy", "classes"),
    [
        (testing.events(), set(EVENT_CLASSES)),
        (testing.events(ConferenceEvent), {c for c in EVENT_CLASSES if c.__name__[:4] == "Conf"}),
        (testing.events(Disconnect | RecordingAvailable), {Disconnect, RecordingAvailable}),
    ],
)
def test_events_cover_the_union_asked_for(strategy: Any, classes: set[type]) -> None:
    """A strategy for a union gives every class of it and no other."""

    @settings(max_examples=200, database=None)
    @given(strategy)
    def only_those(event: object) -> None:
        assert type(event) in classes

    only_those()
    # Each class is one branch of the strategy (drawing until each shows would take minutes).
    built = {name.split(",")[0] for name in repr(strategy).split("builds(")[1:]}
    assert {cls.__name__ for cls in classes} <= built


@given(testing.payloads(CallEvent))
def test_call_payloads_are_call_events(payload: dict[str, Any]) -> None:
    """Bodies of the CallEvent union parse into call events, never a conference one."""
    assert isinstance(parse_event(payload), CallEvent)


@given(testing.payloads(MediaStream))
def test_nested_objects_have_bodies_too(payload: dict[str, Any]) -> None:
    """A nested class has Bandwidth-format bodies of its own, with no eventType."""
    assert "eventType" not in payload
    assert {"id", "name", "destination", "startTime", "tracks", "type"} <= payload.keys()


def test_strategies_refuse_other_classes() -> None:
    """Asking for a class the library does not model is a TypeError naming it."""
    with pytest.raises(TypeError, match="int"):
        testing.events(int)


@given(st.data(), st.integers(0, 9))
def test_wire_durations_have_javas_shape(data: st.DataObject, digits: int) -> None:
    """Each generated duration is written as Java writes one, with at most the digits asked for."""
    text = data.draw(wire_durations(digits))

    fraction = rf"\.[0-9]{{0,{digits - 1}}}[1-9]" if digits else "(?!)"  # (?!): none at all
    seconds = rf"(?:[1-9]|[1-5][0-9])(?:{fraction})?S|0{fraction}S"
    minutes = r"(?:[1-9]|[1-5][0-9])M"
    assert re.fullmatch(rf"PT0S|PT(?=.)(?:[1-9][0-9]*H)?(?:{minutes})?(?:{seconds})?", text)


@given(wire_durations())
def test_nine_digit_durations_parse(text: str) -> None:
    """Durations with Bandwidth's up to nine fractional digits parse, and are written back."""
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
    assert abs(
        timedelta(event.duration.days, event.duration.seconds, event.duration.microseconds)
        - expected
    ) <= timedelta(microseconds=1)
    assert to_dict(event)["duration"] == text


def test_strategies_are_the_documented_ones() -> None:
    """The module's public names are the documented helpers."""
    assert sorted(testing.__all__) == [
        "Attempt", "Delivery", "deliver", "events", "payloads", "wire_durations",
        "wire_timestamps",
    ]  # fmt: skip


def test_the_simulator_needs_no_hypothesis() -> None:
    """Deliver imports without Hypothesis; a strategy then names the extra to install."""
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "from bandwidth_events.testing import Attempt, Delivery, deliver\n"
        "try:\n"
        "    from bandwidth_events.testing import events\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error)\n"
    )

    result = subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == (
        "bandwidth_events.testing.events needs Hypothesis (hypothesis is missing): install "
        "bandwidth-events[testing]"
    )


def test_other_names_are_still_missing() -> None:
    """A name the testing module does not have is an AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="no attribute 'conference_events'"):
        getattr(testing, "conference_events")  # noqa: B009 -- the name no longer exists
