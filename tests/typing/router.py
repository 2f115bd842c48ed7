"""A receiver's router as users write it: checked by mypy --strict and pyright strict, never run.

The mistakes a checker must refuse are in ``mistakes.py``.
"""

from collections.abc import Awaitable, Callable
from typing import assert_type

from bandwidth_events import (
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    Outcome,
    Router,
    UnknownEvent,
    VoiceEvent,
)

router = Router()

WELCOME = "<Response><SpeakSentence>Welcome</SpeakSentence></Response>"


@router.on(ConferenceMemberJoin)
def welcome(event: ConferenceMemberJoin) -> str:
    """An event that takes BXML may answer with it."""
    return f"{WELCOME}<!-- {event.from_} -->"


@router.on(ConferenceMemberExit)
def goodbye(event: ConferenceMemberExit) -> str | None:
    """Or answer with BXML only sometimes."""
    return WELCOME if event.tag else None


@router.on(ConferenceCreated)
def created(event: ConferenceEvent) -> None:
    """A handler that takes any conference event may handle one class of them."""
    print(event.conference_id)  # noqa: T201


@router.on(ConferenceRecordingAvailable)
def store(event: ConferenceRecordingAvailable) -> None:
    """An asynchronous event's handler returns None: Bandwidth ignores any answer."""
    print(event.media_url)  # noqa: T201


@router.on(UnknownEvent)
def unknown(event: UnknownEvent) -> None:
    """Unknown events can have a handler of their own."""
    print(event.event_type)  # noqa: T201


@router.fallback
def everything_else(event: VoiceEvent | UnknownEvent) -> None:
    """The fallback takes any event."""
    print(event)  # noqa: T201


def decorated_functions_keep_their_types() -> None:
    """Registering does not change what the handler is."""
    assert_type(welcome, Callable[[ConferenceMemberJoin], str])
    assert_type(store, Callable[[ConferenceRecordingAvailable], None])
    assert_type(everything_else, Callable[[VoiceEvent | UnknownEvent], None])


def answer(body: bytes) -> tuple[int, bytes]:
    """What dispatch gives is typed for a web adapter."""
    result = router.dispatch(body)
    assert_type(result, Outcome)
    assert_type(result.status, int)
    assert_type(result.content_type, str | None)
    assert_type(result.bxml, str | None)
    assert_type(result.event, VoiceEvent | UnknownEvent)
    return result.status, result.body


@router.on(ConferenceCreated)
async def greet_async(event: ConferenceCreated) -> str | None:
    """An async handler of a BXML event returns BXML or None, as a plain one does."""
    return None if event.tag else "<Response><SpeakSentence>Hi</SpeakSentence></Response>"


async def awaited(body: bytes) -> int:
    """dispatch_async is awaited and gives the same Outcome; async handlers keep their types."""
    assert_type(greet_async, Callable[[ConferenceCreated], Awaitable[str | None]])
    result = await router.dispatch_async(body)
    assert_type(result, Outcome)
    assert_type(router.has_async_handlers, bool)
    return result.status
