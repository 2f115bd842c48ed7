"""The converter, the cattrs preconf way: our events inside the user's own classes."""

# pyright: reportPrivateUsage=false
# (These tests pin down private hooks directly.)

import re
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.errors import ClassValidationError

from bandwidth_events import (
    ConferenceRecordingAvailable,
    FileFormat,
    UnknownEvent,
    configure_converter,
    make_converter,
    parse_event,
    to_dict,
)
from bandwidth_events._converter import (
    _event_union_structure_hook,
    _field_hooks,
    _is_event_union,
    _is_open_enum,
)

from .conftest import golden, golden_dict


@attrs.frozen
class Envelope:
    """A user's own class that carries one of our events."""

    received_at: str
    event: ConferenceRecordingAvailable


KnownOrUnknown: Any = ConferenceRecordingAvailable | UnknownEvent


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
    unknown = golden_dict("conferenceCompleted")

    batch = converter.structure({"events": [unknown]}, Batch)

    assert batch.events == [parse_event(golden("conferenceCompleted"))]
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


def test_open_enum_detection() -> None:
    """Only `SomeStrEnum | str` fields are open enums."""
    assert _is_open_enum(FileFormat | str)
    assert not _is_open_enum(str | None)
    assert not _is_open_enum(int | str)
    assert not _is_open_enum(str)


def test_unsupported_field_type_fails_loudly() -> None:
    """A field type with no wire rule is a programming error found when hooks are made."""
    with pytest.raises(KeyError):
        _field_hooks(float)


def test_union_dispatches_on_event_type() -> None:
    """A union of event classes picks the member by eventType; others become UnknownEvent."""
    converter = make_converter()
    bodies = [golden_dict("conferenceRecordingAvailable"), golden_dict("conferenceRedirect")]

    batch = converter.structure({"events": bodies}, Batch)

    assert [type(event) for event in batch.events] == [ConferenceRecordingAvailable, UnknownEvent]


def test_union_without_unknown_event_refuses_other_events() -> None:
    """Without UnknownEvent in the union, another eventType is an error naming the union."""
    structure = _event_union_structure_hook(ConferenceRecordingAvailable | str, make_converter())

    with pytest.raises(
        ValueError, match=r'of ConferenceRecordingAvailable, str, received eventType "c'
    ):
        structure({"eventType": "conferenceRedirect"}, None)


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
