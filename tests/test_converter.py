"""The converter, the cattrs preconf way: our events inside the user's own classes."""

# pyright: reportPrivateUsage=false
# (These tests pin down private hooks directly.)

import re
from typing import Annotated, Any

import attrs
import cattrs
import pytest
from cattrs.errors import ClassValidationError

from bandwidth_events import (
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    FileFormat,
    UnknownEvent,
    VoiceEvent,
    configure_converter,
    make_converter,
    parse_event,
    to_dict,
)
from bandwidth_events._converter import _is_event_union, _is_model_class

from .conftest import golden, golden_dict
from .strategies import EVENT_TYPES


@attrs.frozen
class Envelope:
    """A user's own class that carries one of our events."""

    received_at: str
    event: ConferenceRecordingAvailable


KnownOrUnknown: Any = ConferenceRecordingAvailable | UnknownEvent


@attrs.frozen
class Held:
    """A user's own class holding any voice event."""

    received_at: str
    event: VoiceEvent


@attrs.frozen
class Batch:
    """A user's own class holding known and unknown events."""

    events: list[ConferenceRecordingAvailable | UnknownEvent]


def test_make_converter_nests_events_in_user_classes() -> None:
    """An event inside a user's attrs class reads and writes with the library's wire rules."""
    converter = make_converter()
    body = {"received_at": "now", "event": golden_dict("conferenceRecordingAvailable")}

    envelope = converter.structure(body, Envelope)

    assert envelope.event == parse_event(golden("conferenceRecordingAvailable"))
    assert converter.unstructure(envelope) == body
    assert converter.loads(converter.dumps(envelope), Envelope) == envelope


def test_unknown_events_nest_too() -> None:
    """UnknownEvent reads and writes through a configured converter, in a union with events."""
    converter = make_converter()
    unknown = {"eventType": "callInitiated", "callId": "c-1"}

    batch = converter.structure({"events": [unknown]}, Batch)

    assert batch.events == [UnknownEvent(unknown)]
    assert converter.unstructure(batch) == {"events": [unknown]}


def test_configure_converter_leaves_user_types_alone() -> None:
    """Configuring a user's converter does not make it strict about the user's own fields."""

    @attrs.frozen
    class Own:
        count: int
        label: str

    converter = cattrs.Converter()
    configure_converter(converter)

    # cattrs' own lenient hooks still apply to the user's class: int("3") and str(4).
    assert converter.structure({"count": "3", "label": 4}, Own) == Own(count=3, label="4")


def test_nested_errors_are_cattrs_errors_naming_attributes() -> None:
    """Through a user's converter, a bad event gives cattrs' own error with the cause inside."""
    converter = make_converter()
    body = {
        "received_at": "now",
        "event": {**golden_dict("conferenceRecordingAvailable"), "channels": "1"},
    }

    with pytest.raises(ClassValidationError) as info:
        converter.structure(body, Envelope)

    assert "expected an integer" in repr(info.value.exceptions)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "expected a JSON object, received [] (array)"),
        (
            {"eventType": "conferenceCompleted"},
            "eventType must be 'conferenceRecordingAvailable', received \"conferenceCompleted\"",
        ),
        ({}, "eventType must be 'conferenceRecordingAvailable', received none"),
    ],
)
def test_nested_event_must_be_an_object_of_its_event_type(value: object, message: str) -> None:
    """The class hook checks the shape and eventType itself, for events nested in user classes."""
    converter = make_converter()

    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        converter.structure(value, ConferenceRecordingAvailable)


def test_nested_unknown_event_must_be_an_object() -> None:
    """An UnknownEvent needs an object too."""
    with pytest.raises(TypeError, match="expected a JSON object"):
        make_converter().structure("x", UnknownEvent)


def test_unknown_fields_survive_a_user_converter() -> None:
    """Unknown wire fields are kept by a configured converter exactly as by parse_event."""
    converter = make_converter()
    body = {**golden_dict("conferenceRecordingAvailable"), "region": "eu"}

    event = converter.structure(body, ConferenceRecordingAvailable)

    assert event.extra_fields == {"region": "eu"}
    assert converter.unstructure(event) == body == to_dict(event)


def test_model_class_detection_takes_any_annotation() -> None:
    """Asked about any type, even an unhashable one, the hook factory answers without raising."""
    assert _is_model_class(ConferenceRecordingAvailable)
    assert not _is_model_class(FileFormat)
    assert not _is_model_class(Annotated[list[int], {"unhashable": []}])


def test_union_dispatches_on_event_type() -> None:
    """A union of event classes picks the member by eventType; unmodelled ones are unknown."""
    converter = make_converter()
    bodies = [golden_dict("conferenceRecordingAvailable"), {"eventType": "callInitiated"}]

    batch = converter.structure({"events": bodies}, Batch)

    assert [type(event) for event in batch.events] == [ConferenceRecordingAvailable, UnknownEvent]


# (recordingAvailable's example has a timestamp without its zone: it is written back with one.)
@pytest.mark.parametrize("name", sorted(set(EVENT_TYPES) - {"recordingAvailable"}))
def test_the_whole_family_nests(name: str) -> None:
    """A user's field typed as the VoiceEvent union reads and writes every event."""
    converter = make_converter()
    body = {"received_at": "now", "event": golden_dict(name)}

    held = converter.structure(body, Held)

    assert held.event == parse_event(golden(name))
    assert converter.unstructure(held) == body


def test_union_refuses_a_modelled_event_it_does_not_hold() -> None:
    """A modelled event outside the union is an error naming the union, even with UnknownEvent.

    parse_event never gives an UnknownEvent for a modelled eventType, and neither does this.
    """
    converter = make_converter()

    with pytest.raises(ClassValidationError) as info:
        converter.structure({"events": [golden_dict("conferenceRedirect")]}, Batch)

    assert re.search(
        r"expected an event of ConferenceRecordingAvailable, UnknownEvent, received eventType "
        r'"conferenceRedirect"',
        repr(info.value.exceptions),
    )


def test_union_without_unknown_event_refuses_other_events() -> None:
    """Without UnknownEvent in the union, an unmodelled eventType is an error naming the union."""
    members: Any = ConferenceMemberJoin | ConferenceMemberExit

    with pytest.raises(
        ValueError,
        match=r'of ConferenceMemberExit, ConferenceMemberJoin, received eventType "callInitiated"',
    ):
        make_converter().structure({"eventType": "callInitiated"}, members)


@pytest.mark.parametrize(
    ("body", "error"),
    [({"eventType": 3}, "needs a string eventType"), ("text", "expected a JSON object")],
)
def test_union_with_unknown_event_still_needs_an_event(body: object, error: str) -> None:
    """A body with no string eventType is not even an UnknownEvent."""
    with pytest.raises(TypeError, match=error):
        make_converter().structure(body, KnownOrUnknown)


def test_union_detection() -> None:
    """Only unions made of event classes (and UnknownEvent) are dispatched on eventType."""
    assert _is_event_union(ConferenceRecordingAvailable | UnknownEvent)
    assert not _is_event_union(ConferenceRecordingAvailable | None)
    assert not _is_event_union(ConferenceRecordingAvailable)
