"""Handler code as users write it: checked by mypy --strict and pyright strict, never run.

The one line marked ``# type: ignore[code]  # pyright: ignore[rule]`` is a mistake both
checkers must report; ``mistakes.py`` holds the rest and says how that is checked.
"""

from datetime import datetime, timedelta
from typing import Any, Literal, assert_never, assert_type

import attrs

from bandwidth_events import (
    CallEvent,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    EventParseError,
    FileFormat,
    RecordingStatus,
    UnknownEvent,
    VoiceEvent,
    make_converter,
    parse_event,
    to_dict,
    to_json,
)


def handle(body: bytes) -> str:  # noqa: PLR0911 -- one return per case, as users write it
    """Dispatch on the parsed event with an exhaustive match over every conference event."""
    try:
        event = parse_event(body)
    except EventParseError as error:
        assert_type(error.body, object)
        return f"rejected: {sorted(error.errors)}"
    assert_type(event, VoiceEvent | UnknownEvent)
    if isinstance(event, CallEvent):
        return f"call {event.call_id}"  # every call event has its call
    match event:
        case ConferenceMemberJoin(call_id=call_id, from_=caller):
            assert_type(call_id, str)
            assert_type(caller, str)
            return f"{caller} joined on {call_id}"
        case ConferenceMemberExit(to=called, tag=tag):
            assert_type(called, str)
            assert_type(tag, str | None)
            return f"left {called}"
        case ConferenceCreated() | ConferenceRedirect() as started:
            assert_type(started, ConferenceCreated | ConferenceRedirect)
            return f"conference {started.conference_id} at {started.event_time:%H:%M}"
        case ConferenceCompleted(name=name):
            return f"{name} is over"
        case ConferenceRecordingAvailable(status=RecordingStatus.COMPLETE, media_url=str() as url):
            return f"download {url}"
        case ConferenceRecordingAvailable(recording_id=recording_id):
            return f"recording {recording_id} not ready"
        case UnknownEvent(event_type=event_type):
            return f"ignored {event_type}"
        case _:
            assert_never(event)


def common_fields(event: ConferenceEvent) -> str:
    """Fields every conference event has need no narrowing; the others do."""
    assert_type(event.event_time, datetime)
    assert_type(event.tag, str | None)
    assert_type(event.accepts_bxml, bool)
    if isinstance(event, ConferenceMemberJoin | ConferenceMemberExit):
        return event.call_id
    return event.conference_id


def class_facts() -> None:
    """What each class tells a receiver is known statically, as literals."""
    assert_type(ConferenceMemberJoin.event_type, Literal["conferenceMemberJoin"])
    assert_type(ConferenceMemberJoin.accepts_bxml, Literal[True])
    assert_type(ConferenceCompleted.accepts_bxml, Literal[False])
    assert_type(UnknownEvent.accepts_bxml, Literal[False])


def member_only(body: bytes) -> str:
    """With the class named, the result is exactly that class."""
    event = parse_event(body, ConferenceMemberJoin)
    assert_type(event, ConferenceMemberJoin)
    assert_type(event.from_, str)
    return event.to


def recording_only(body: bytes) -> float:
    """With the class named, the result is exactly that class and its fields are precise."""
    event = parse_event(body, ConferenceRecordingAvailable)
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


def write_back(event: ConferenceEvent | UnknownEvent) -> str:
    """Both writers take any event."""
    assert_type(to_dict(event), dict[str, Any])
    return to_json(event)


@attrs.frozen
class Envelope:
    """A user's class holding one of our events."""

    event: ConferenceEvent


def nested(body: bytes) -> Envelope:
    """The preconf converter reads user classes that hold events."""
    return make_converter().loads(body, Envelope)


def forgot_a_case(event: ConferenceEvent) -> str:
    """A match that misses ConferenceCompleted fails its exhaustiveness check."""
    match event:
        case ConferenceMemberJoin() | ConferenceMemberExit():
            return event.call_id
        case ConferenceCreated() | ConferenceRedirect() | ConferenceRecordingAvailable():
            return event.name
        case _:
            assert_never(event)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
