"""Typed, frozen models of Bandwidth's voice webhooks.

Turn a webhook body into a precise, immutable event with `parse_event`, and back into the exact
wire form with `to_dict` or `to_json`. A bad body raises `EventParseError`, naming every bad field.
A `Router` calls the handler registered for each event class and says what to answer Bandwidth;
a `Receiver` adds the Basic-auth challenge and HTTP checks, served by `asgi_app` or `wsgi_app`.
Test helpers are in `bandwidth_events.testing`.
"""

from typing import TYPE_CHECKING

from ._adapters import asgi_app, wsgi_app
from ._api import parse_event, to_dict, to_json
from ._auth import BasicAuth
from ._converter import configure_converter, make_converter
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
from ._query import parse_query, to_query
from ._receiver import Failure, Receiver, Reply, Request, current_request
from ._router import Outcome, Router
from ._timestamps import PreciseTimestamp

if TYPE_CHECKING:
    __version__: str
else:
    # Hidden from type checkers, which would otherwise accept any misspelt attribute as a str.
    def __getattr__(name: str) -> str:
        # Read lazily: importlib.metadata costs milliseconds nobody needs on the import path.
        if name == "__version__":
            from importlib.metadata import version  # noqa: PLC0415

            return version("bandwidth-events")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "make_converter",
    "parse_event",
    "parse_query",
    "to_dict",
    "to_json",
    "to_query",
    "wsgi_app",
]
