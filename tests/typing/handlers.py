"""Handler code as users write it: checked by mypy --strict and pyright strict, never run.

Each ``# type: ignore[code]`` marks an error the type checkers must report: both are set to fail
on an ignore comment that is not needed, so a check that stops catching the mistake fails.
"""

from datetime import datetime, timedelta
from typing import Any, assert_never, assert_type, reveal_type

import attrs

import bandwidth_events
from bandwidth_events import (
    ConferenceRecordingAvailable,
    EventParseError,
    FileFormat,
    RecordingStatus,
    UnknownEvent,
    make_converter,
    parse_event,
    to_dict,
    to_json,
)


def handle(body: bytes) -> str:
    """Dispatch on the parsed event with an exhaustive match."""
    try:
        event = parse_event(body)
    except EventParseError as error:
        assert_type(error.body, object)
        return f"rejected: {sorted(error.errors)}"
    assert_type(event, ConferenceRecordingAvailable | UnknownEvent)
    match event:
        case ConferenceRecordingAvailable(status=RecordingStatus.COMPLETE, media_url=str() as url):
            return f"download {url}"
        case ConferenceRecordingAvailable(recording_id=recording_id):
            return f"recording {recording_id} not ready"
        case UnknownEvent(event_type=event_type):
            return f"ignored {event_type}"
        case _:
            assert_never(event)


def recording_only(body: bytes) -> float:
    """With the class named, the result is exactly that class and its fields are precise."""
    event = parse_event(body, ConferenceRecordingAvailable)
    reveal_type(event)
    assert_type(event, ConferenceRecordingAvailable)
    assert_type(event.event_time, datetime)
    assert_type(event.duration, timedelta)
    assert_type(event.channels, int)
    assert_type(event.tag, str | None)
    assert_type(event.media_url, str | None)
    return event.duration.total_seconds()


def status_text(status: RecordingStatus | str) -> str:
    """Known statuses are enum members the checker sees; unknown ones are plain strings."""
    if not isinstance(status, RecordingStatus):
        assert_type(status, str)
        return f"unknown status {status!r}"
    match status:
        case RecordingStatus.COMPLETE | RecordingStatus.PARTIAL:
            return "downloadable"
        case RecordingStatus.ERROR | RecordingStatus.DELETED:
            return "gone"
        case RecordingStatus.PROCESSING:
            return "wait"
        case _:
            assert_never(status)


def format_text(file_format: FileFormat | str) -> str:
    """The same for file formats."""
    if isinstance(file_format, FileFormat):
        assert_type(file_format, FileFormat)
        return file_format.value
    return file_format


def write_back(event: ConferenceRecordingAvailable | UnknownEvent) -> str:
    """Both writers take any event."""
    assert_type(to_dict(event), dict[str, Any])
    return to_json(event)


@attrs.frozen
class Envelope:
    """A user's class holding one of our events."""

    event: ConferenceRecordingAvailable


def nested(body: bytes) -> Envelope:
    """The preconf converter reads user classes that hold events."""
    return make_converter().loads(body, Envelope)


def mistakes(body: bytes) -> None:
    """Each line is a mistake a type checker must reject."""
    event = parse_event(body, ConferenceRecordingAvailable)
    event.name = "renamed"  # type: ignore[misc]
    _ = event.payload  # type: ignore[attr-defined]
    _ = parse_event(body).status  # type: ignore[union-attr]
    parse_event(body, UnknownEvent)  # type: ignore[type-var]
    to_dict({"eventType": "x"})  # type: ignore[arg-type]
    ConferenceRecordingAvailable(channels="1")  # type: ignore[call-arg, arg-type]
    _ = bandwidth_events.parse_events  # type: ignore[attr-defined]
    _ = bandwidth_events.__version__.upper()
