"""Field kinds: one rule per field type, found for every annotation the models use."""

from collections.abc import Mapping
from datetime import datetime

import pytest

from bandwidth_events import (
    CallCause,
    MachineDetectionResult,
    RecordComplete,
    StreamTrack,
    make_converter,
    to_dict,
)
from bandwidth_events._kinds import is_optional, kind_of

from .conftest import golden_dict


def test_generic_shapes_are_built_from_their_parts() -> None:
    """Optional, open enum, tuple and nested kinds come from the kinds of their parts."""
    assert kind_of(datetime | None).read is not None
    assert kind_of(CallCause | str | None).names == kind_of(CallCause | str).names
    assert kind_of(tuple[StreamTrack | str, ...]).item is kind_of(StreamTrack | str)
    assert kind_of(MachineDetectionResult).model is MachineDetectionResult
    assert kind_of(Mapping[str, str] | None).convert is not None
    assert is_optional(MachineDetectionResult | None)
    assert not is_optional(CallCause | str)


@pytest.mark.parametrize(
    "annotation", [complex, int | str, list[str], tuple[MachineDetectionResult, ...]]
)
def test_a_type_without_a_rule_fails_loudly(annotation: object) -> None:
    """An annotation no kind covers is a programming error, found when the kind is asked."""
    with pytest.raises(TypeError, match="no field kind"):
        kind_of(annotation)


def test_a_tuple_kind_reads_arrays_only() -> None:
    """An array field refuses anything but an array, naming what it got."""
    read = kind_of(tuple[StreamTrack | str, ...]).read
    assert read is not None

    with pytest.raises(TypeError, match=r'expected an array, received "inbound" \(string\)'):
        read("inbound")
    assert read(["inbound", "other"]) == ("inbound", "other")


def test_the_spec_event_type_through_a_users_converter() -> None:
    """A configured converter reads ``recordingComplete`` too, and writes it back."""
    converter = make_converter()
    body = golden_dict("recordComplete") | {"eventType": "recordingComplete"}

    event = converter.structure(body, RecordComplete)

    assert event.wire_spelling == {"eventType"}
    assert converter.unstructure(event) == body == to_dict(event)


@pytest.mark.parametrize(
    ("annotation", "text", "expected"),
    [
        (int, "-12", -12),
        (int, "12.0", "12.0"),
        (int, "1" * 20, int("1" * 20)),
        (int, "1" * 41, "1" * 41),
        (float, "0.5", 0.5),
        (float, "1", 1),
        (float, "high", "high"),
        (float, '"0.5"', '"0.5"'),
        (tuple[StreamTrack | str, ...], '["inbound"]', ["inbound"]),
        (Mapping[str, str] | None, "{oops", "{oops"),
    ],
)
def test_query_text_is_read_as_the_field_type(
    annotation: object, text: str, expected: object
) -> None:
    """A query parameter's text becomes its field's wire value, or stays text to be refused."""
    from_text = kind_of(annotation).from_text
    assert from_text is not None

    assert from_text(text) == expected
    assert type(from_text(text)) is type(expected)


def test_text_fields_take_the_text_itself() -> None:
    """Strings, timestamps, durations and open enums are read from the text as it is."""
    assert {kind_of(t).from_text for t in (str, datetime, CallCause | str, str | None)} == {None}
