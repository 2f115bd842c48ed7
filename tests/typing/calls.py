"""Call-event handler code as users write it: checked by mypy --strict and pyright strict.

Never run. Mistakes both checkers must reject are in ``mistakes.py``.
"""

from datetime import datetime, timedelta
from typing import Any, Literal, assert_never, assert_type

from hypothesis.strategies import SearchStrategy

from bandwidth_events import (
    Answer,
    BridgeComplete,
    BridgeTargetComplete,
    CallCause,
    CallDirection,
    CallEvent,
    Disconnect,
    Diversion,
    Dtmf,
    Gather,
    Initiate,
    MachineDetectionComplete,
    MachineDetectionResult,
    MachineDetectionValue,
    MediaStream,
    MediaStreamRejected,
    MediaStreamStarted,
    MediaStreamStopped,
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
    RecordComplete,
    RecordingAvailable,
    Redirect,
    ReferComplete,
    Router,
    StreamTrack,
    TranscriptionAvailable,
    TransferAnswer,
    TransferComplete,
    TransferDisconnect,
    UnknownEvent,
    VoiceEvent,
    parse_event,
    parse_query,
    testing,
    to_query,
)


def describe(event: CallEvent) -> str:  # noqa: C901, PLR0911, PLR0912 -- one case per event
    """An exhaustive match over every call event: assert_never proves none is forgotten."""
    match event:
        case Initiate(diversion=Diversion(orig_to=diverted_from)):
            assert_type(diverted_from, str)
            return f"diverted from {diverted_from}"
        case Initiate():
            assert_type(event.diversion, Diversion | None)
            return f"{event.from_} calls {event.to}"
        case Answer(machine_detection_result=MachineDetectionResult(value=value, duration=took)):
            assert_type(value, MachineDetectionValue | str)
            assert_type(took, timedelta)
            return "machine" if value is MachineDetectionValue.ANSWERING_MACHINE else "human"
        case Answer():
            return "answered"
        case Disconnect(cause=CallCause.BUSY):
            return "busy"
        case Disconnect(cause=cause, sip_response_code=code):
            assert_type(cause, CallCause | str)
            assert_type(code, int | None)
            return f"ended: {cause}"
        case Redirect() | TransferAnswer() | TransferComplete() | TransferDisconnect():
            return event.call_id
        case MachineDetectionComplete(machine_detection_result=result):
            assert_type(result, MachineDetectionResult)
            return str(result.value)
        case Gather(digits=digits):
            assert_type(digits, str | None)
            return digits or ""
        case Dtmf(digit=digit):
            return digit
        case BridgeComplete() | BridgeTargetComplete() | ReferComplete():
            return event.event_type
        case RecordingAvailable(media_url=str() as url):
            assert_type(url, str)
            return url
        case RecordComplete() | RecordingAvailable():
            return "no media yet"
        case TranscriptionAvailable(transcription=transcription):
            return transcription.text or ""
        case MediaStreamStarted(media_stream=MediaStream(tracks=tracks)):
            assert_type(tracks, tuple[StreamTrack | str, ...])
            return ",".join(tracks)
        case MediaStreamRejected() | MediaStreamStopped():
            return str(event.cause)
        case RealTimeTranscriptionStarted() | RealTimeTranscriptionAvailable():
            assert_type(event.real_time_transcription.stabilized, bool | None)
            return event.real_time_transcription.name
        case RealTimeTranscriptionRejected() | RealTimeTranscriptionStopped():
            return str(event.cause)
        case _:
            assert_never(event)


def common_fields(event: CallEvent) -> str:
    """Every call event has its call, its ends and its direction without narrowing."""
    assert_type(event.call_id, str)
    assert_type(event.event_time, datetime)
    assert_type(event.direction, CallDirection | str)
    assert_type(event.accepts_bxml, bool)
    return f"{event.from_} -> {event.to}"


def nested_optionals(body: bytes) -> str:
    """A nested object that may be absent must be checked before use."""
    answer = parse_event(body, Answer)
    assert_type(answer.machine_detection_result, MachineDetectionResult | None)
    result = answer.machine_detection_result
    if result is None:
        return "no machine detection"
    return str(result.value)


def from_a_query(query: str) -> str:
    """A GET callback's query parses to the same types as a JSON body."""
    assert_type(parse_query(query, Disconnect), Disconnect)
    assert_type(parse_query(query), VoiceEvent | UnknownEvent)
    return to_query(parse_query(query, Disconnect))


def class_facts() -> None:
    """What each call event class tells a receiver is known statically."""
    assert_type(Initiate.event_type, Literal["initiate"])
    assert_type(Initiate.accepts_bxml, Literal[True])
    assert_type(Disconnect.accepts_bxml, Literal[False])
    assert_type(RecordComplete.event_type_aliases, tuple[str, ...])


router = Router()


@router.on(Initiate)
def greet(event: Initiate) -> str:
    """An initiate handler answers BXML."""
    return f"<Response><SpeakSentence>Hello {event.from_}</SpeakSentence></Response>"


@router.on(Disconnect)
def hung_up(event: Disconnect) -> None:
    """A disconnect handler answers nothing: Bandwidth ignores the answer."""
    print(event.cause)  # noqa: T201


@router.on(Gather)
def maybe_bxml(event: Gather) -> str | None:
    """A BXML event's handler may answer 204 by returning None."""
    return None if event.digits else "<Response><Hangup/></Response>"


def strategies() -> None:
    """The test strategies are typed by the class asked for."""
    assert_type(testing.events(Disconnect), SearchStrategy[Disconnect])
    assert_type(testing.payloads(CallEvent), SearchStrategy[dict[str, Any]])
