"""Mistakes in user code that both type checkers must reject: checked, never run.

Every statement in `event_mistakes` and `router_mistakes` is marked
``# type: ignore[code]  # pyright: ignore[rule]`` with the very mypy code and pyright rule it
must raise. Pyright is set to read only its own comments, and both checkers fail on an ignore
comment that is not needed, so a mistake that stops being caught (or is caught for another
reason) fails the typing session.
"""

# Pyright also reports where an expected error leaves a value unknown; those echoes add nothing.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false

from datetime import UTC, datetime

import bandwidth_events
from bandwidth_events import (
    Answer,
    CallCause,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    Disconnect,
    Initiate,
    MediaStreamStarted,
    Router,
    UnknownEvent,
    parse_event,
    to_dict,
)

NOW = datetime.now(UTC)


def event_mistakes(body: bytes) -> None:
    """Misusing events and parse_event."""
    event = parse_event(body, ConferenceRecordingAvailable)
    event.name = "renamed"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]
    _ = event.payload  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    _ = parse_event(body).status  # type: ignore[union-attr]  # pyright: ignore[reportAttributeAccessIssue]
    _ = parse_event(body, ConferenceCreated).call_id  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    _ = parse_event(body, UnknownEvent)  # type: ignore[type-var]  # pyright: ignore[reportCallIssue, reportArgumentType]
    to_dict({"eventType": "x"})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    ConferenceRecordingAvailable(channels=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    ConferenceCompleted(event_time=NOW, conference_id="c", name=3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    ConferenceMemberExit(event_time=NOW, conference_id="", name="", call_id="", from_=1, to="")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    ConferenceCreated(event_time="2019-07-31T13:16:01.324Z", conference_id="c", name="n")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    _ = bandwidth_events.parse_events  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]


def call_event_mistakes(body: bytes) -> None:
    """Misusing call events: nested optionals, open enums, fields another event has."""
    answer = parse_event(body, Answer)
    _ = answer.machine_detection_result.value  # type: ignore[union-attr]  # pyright: ignore[reportOptionalMemberAccess]
    _ = parse_event(body, Initiate).tag  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    cause: CallCause = parse_event(body, Disconnect).cause  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    tracks: list[str] = parse_event(body, MediaStreamStarted).media_stream.tracks  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    _ = (cause, tracks)


def bxml_for_disconnect(_event: Disconnect) -> str:
    """A handler that answers BXML to an event whose answer Bandwidth ignores."""
    return WELCOME


def disconnect_handler(_event: Disconnect) -> None:
    """A handler for disconnects."""


def call_router_mistakes(router: Router) -> None:
    """Registering call-event handlers that do not fit."""
    router.on(Disconnect)(bxml_for_disconnect)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.on(Answer)(disconnect_handler)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]


WELCOME = "<Response><SpeakSentence>Welcome</SpeakSentence></Response>"


def exit_handler(_event: ConferenceMemberExit) -> None:
    """A handler for member exits."""


def bxml_for_completed(_event: ConferenceCompleted) -> str:
    """A handler that answers BXML to an event whose answer Bandwidth ignores."""
    return WELCOME


def number_for_created(_event: ConferenceCreated) -> int:
    """A handler that returns something other than BXML or None."""
    return 200


def fallback_for_members(_event: ConferenceMemberJoin) -> None:
    """A fallback that cannot take every event."""


def router_mistakes(router: Router) -> None:
    """Registering handlers that do not fit."""
    router.on(ConferenceMemberJoin)(exit_handler)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.on(ConferenceCompleted)(bxml_for_completed)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.on(ConferenceCreated)(number_for_created)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.on(UnknownEvent)(bxml_for_completed)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.fallback(fallback_for_members)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    router.on(dict)  # type: ignore[type-var]  # pyright: ignore[reportCallIssue, reportArgumentType]
    router.dispatch(["not", "a", "body"])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def decorated_mistakes(router: Router) -> None:
    """The same mistakes as users write them, with decorators.

    docs/receiving.md shows the lines between the ``docs:`` markers without their checker
    comments; tests/test_docs.py checks that it shows exactly these.
    """

    # docs: wrong handlers start
    @router.on(ConferenceMemberJoin)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue, reportUntypedFunctionDecorator]
    def left(event: ConferenceMemberExit) -> None: ...  # a handler for the wrong class

    @router.on(ConferenceCompleted)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue, reportUntypedFunctionDecorator]
    def answer(event: ConferenceCompleted) -> str:  # BXML Bandwidth would ignore
        return f"<Response><SpeakSentence>{event.name}</SpeakSentence></Response>"

    @router.fallback  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue, reportUntypedFunctionDecorator]
    def members(event: ConferenceMemberJoin) -> None: ...  # a fallback must take any event

    # docs: wrong handlers end


async def async_bxml_for_disconnect(_event: Disconnect) -> str:
    """An async handler that answers BXML to an event whose answer Bandwidth ignores."""
    return WELCOME


def async_router_mistakes(router: Router) -> None:
    """Async handlers are checked as plain ones are."""
    router.on(Disconnect)(async_bxml_for_disconnect)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
