"""Typed, frozen models of Bandwidth's voice webhooks.

Turn a webhook body into a precise, immutable event with `parse_event`, and back into the exact
wire form with `to_dict` or `to_json`. A bad body raises `EventParseError`, naming every bad field.
A `Router` calls the handler registered for each event class and says what to answer Bandwidth;
a `Receiver` adds the Basic-auth challenge and HTTP checks, served by `asgi_app` or `wsgi_app`.
An `Inbox` stores every request before it is answered, for an `InboxWorker` to handle.
Test helpers are in `bandwidth_events.testing`.
"""

from typing import TYPE_CHECKING

from ._api import parse_event, to_dict, to_json
from ._durations import PreciseDuration
from ._enums import (
    CallCause,
    CallDirection,
    DiversionReason,
    FileFormat,
    MachineDetectionValue,
    RecordingStatus,
    ReferStatus,
    RejectionCause,
    StopCause,
    StreamTrack,
    TranscriptionStatus,
)
from ._errors import EventParseError
from ._events import (
    Answer,
    BridgeComplete,
    BridgeTargetComplete,
    CallEvent,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    Disconnect,
    Diversion,
    Dtmf,
    Gather,
    Initiate,
    MachineDetectionComplete,
    MachineDetectionResult,
    MediaStream,
    MediaStreamRejected,
    MediaStreamStarted,
    MediaStreamStopped,
    RealTimeTranscription,
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
    RecordComplete,
    RecordingAvailable,
    Redirect,
    ReferComplete,
    StirShaken,
    Transcription,
    TranscriptionAvailable,
    TransferAnswer,
    TransferComplete,
    TransferDisconnect,
    UnknownEvent,
    VoiceEvent,
)
from ._timestamps import PreciseTimestamp

if TYPE_CHECKING:
    from ._adapters import asgi_app, wsgi_app
    from ._auth import BasicAuth
    from ._converter import configure_converter, make_converter
    from ._inbox import Inbox, InboxError, InboxStatus, InboxWorker, StoredEvent, dedupe_key
    from ._query import parse_query, to_query
    from ._receiver import Failure, Receiver, Reply, Request, current_request, log_failure
    from ._router import Outcome, Router

    __version__: str
else:
    # The receiving side (logging, hashlib, asyncio-ready adapters), the converter (cattrs) and
    # the query form are imported on first use (PEP 562): parsing a valid body needs none.
    _LAZY = {
        "asgi_app": "_adapters",
        "wsgi_app": "_adapters",
        "BasicAuth": "_auth",
        "configure_converter": "_converter",
        "make_converter": "_converter",
        "Inbox": "_inbox",
        "InboxError": "_inbox",
        "InboxStatus": "_inbox",
        "InboxWorker": "_inbox",
        "StoredEvent": "_inbox",
        "dedupe_key": "_inbox",
        "parse_query": "_query",
        "to_query": "_query",
        "Failure": "_receiver",
        "Receiver": "_receiver",
        "Reply": "_receiver",
        "Request": "_receiver",
        "current_request": "_receiver",
        "log_failure": "_receiver",
        "Outcome": "_router",
        "Router": "_router",
    }

    # Hidden from type checkers, which would otherwise accept any misspelt attribute.
    def __getattr__(name: str) -> object:
        if name == "__version__":
            # Read lazily: importlib.metadata costs milliseconds nobody needs on the import path.
            from importlib.metadata import version  # noqa: PLC0415

            return version("bandwidth-events")
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module  # noqa: PLC0415

        value = getattr(import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # once: the next lookup is a plain one
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


del TYPE_CHECKING  # not part of the public namespace


__all__ = [
    "Answer",
    "BasicAuth",
    "BridgeComplete",
    "BridgeTargetComplete",
    "CallCause",
    "CallDirection",
    "CallEvent",
    "ConferenceCompleted",
    "ConferenceCreated",
    "ConferenceEvent",
    "ConferenceMemberExit",
    "ConferenceMemberJoin",
    "ConferenceRecordingAvailable",
    "ConferenceRedirect",
    "Disconnect",
    "Diversion",
    "DiversionReason",
    "Dtmf",
    "EventParseError",
    "Failure",
    "FileFormat",
    "Gather",
    "Inbox",
    "InboxError",
    "InboxStatus",
    "InboxWorker",
    "Initiate",
    "MachineDetectionComplete",
    "MachineDetectionResult",
    "MachineDetectionValue",
    "MediaStream",
    "MediaStreamRejected",
    "MediaStreamStarted",
    "MediaStreamStopped",
    "Outcome",
    "PreciseDuration",
    "PreciseTimestamp",
    "RealTimeTranscription",
    "RealTimeTranscriptionAvailable",
    "RealTimeTranscriptionRejected",
    "RealTimeTranscriptionStarted",
    "RealTimeTranscriptionStopped",
    "Receiver",
    "RecordComplete",
    "RecordingAvailable",
    "RecordingStatus",
    "Redirect",
    "ReferComplete",
    "ReferStatus",
    "RejectionCause",
    "Reply",
    "Request",
    "Router",
    "StirShaken",
    "StopCause",
    "StoredEvent",
    "StreamTrack",
    "Transcription",
    "TranscriptionAvailable",
    "TranscriptionStatus",
    "TransferAnswer",
    "TransferComplete",
    "TransferDisconnect",
    "UnknownEvent",
    "VoiceEvent",
    "asgi_app",
    "configure_converter",
    "current_request",
    "dedupe_key",
    "log_failure",
    "make_converter",
    "parse_event",
    "parse_query",
    "to_dict",
    "to_json",
    "to_query",
    "wsgi_app",
]
