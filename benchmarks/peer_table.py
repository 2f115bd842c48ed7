"""The peers' one table: every event and nested object, its fields and their types.

`pydantic_peers` and `msgspec_peers` build ordinary model classes from it, the same as ones
written out by hand (see each module for what its peers do and do not do).
"""

from datetime import datetime, timedelta
from enum import StrEnum
from types import NoneType, UnionType
from typing import Any, get_args

from bandwidth_events import (
    CallCause,
    CallDirection,
    Diversion,
    DiversionReason,
    FileFormat,
    MachineDetectionResult,
    MachineDetectionValue,
    MediaStream,
    RealTimeTranscription,
    RecordingStatus,
    ReferStatus,
    RejectionCause,
    StirShaken,
    StopCause,
    StreamTrack,
    Transcription,
    TranscriptionStatus,
)

Fields = dict[str, Any]  # attribute name: its type; ``X | None`` is optional, None if absent

# --- the table ---------------------------------------------------------------------------------
# A nested object's type is our own class of it (imported above), standing for the peer's.

OBJECTS: dict[type, Fields] = {
    MachineDetectionResult: {"value": MachineDetectionValue | str, "duration": timedelta},
    Diversion: {
        "orig_to": str,
        "reason": DiversionReason | str | None,
        "screen": str | None,
        "privacy": str | None,
        "counter": str | None,
        "limit": str | None,
    },
    StirShaken: {
        "verstat": str | None,
        "attestation_indicator": str | None,
        "originating_id": str | None,
    },
    Transcription: {
        "id": str | None,
        "url": str | None,
        "status": TranscriptionStatus | str | None,
        "completed_time": datetime | None,
        "text": str | None,
        "confidence": float | None,
        "speaker": int | None,
    },
    MediaStream: {
        "id": str,
        "name": str,
        "destination": str,
        "start_time": datetime,
        "tracks": tuple[StreamTrack | str, ...],
        "type": str,
        "duration": timedelta | None,
    },
    RealTimeTranscription: {
        "id": str,
        "name": str,
        "start_time": datetime,
        "tracks": tuple[StreamTrack | str, ...],
        "destination": str | None,
        "stabilized": bool | None,  # Bandwidth sends "true" and "false"
        "status": TranscriptionStatus | str | None,
        "url": str | None,
        "completed_time": datetime | None,
        "duration": timedelta | None,
    },
}

_CONFERENCE: Fields = {"event_time": datetime, "conference_id": str, "name": str, "tag": str | None}
_MEMBER: Fields = {"call_id": str, "from_": str, "to": str}
_CALL: Fields = {
    "event_time": datetime,
    "call_id": str,
    "call_url": str,
    "from_": str,
    "to": str,
    "direction": CallDirection | str,
    "start_time": datetime,
    "enqueued_time": datetime | None,
    "tag": str | None,
}
_APPLICATION: Fields = {"account_id": str, "application_id": str}
_CALL_OF_APPLICATION: Fields = _CALL | _APPLICATION
_B_LEG: Fields = {"parent_call_id": str | None, "transfer_caller_id": str | None}
_B_LEG |= {"transfer_to": str | None}
_ERROR: Fields = {"error_message": str | None, "error_id": str | None}
_RECORDING: Fields = {"recording_id": str, "end_time": datetime, "duration": timedelta}
_RECORDING |= {"file_format": FileFormat | str, "media_url": str | None}
_TRANSFERRED: Fields = {"parent_call_id": str, "transfer_caller_id": str, "transfer_to": str}
_RTT = "real_time_transcription"

EVENTS: dict[str, Fields] = {
    "conferenceCreated": _CONFERENCE,
    "conferenceRedirect": _CONFERENCE,
    "conferenceCompleted": _CONFERENCE,
    "conferenceMemberJoin": _CONFERENCE | _MEMBER,
    "conferenceMemberExit": _CONFERENCE | _MEMBER,
    "conferenceRecordingAvailable": _CONFERENCE
    | {
        "account_id": str,
        "recording_id": str,
        "channels": int,
        "start_time": datetime,
        "end_time": datetime,
        "duration": timedelta,
        "file_format": FileFormat | str,
        "status": RecordingStatus | str,
        "media_url": str | None,
    },
    "initiate": _CALL_OF_APPLICATION
    | {
        "diversion": Diversion | None,
        "stir_shaken": StirShaken | None,
        "uui": str | None,
        "sip_call_id": str | None,
        "sip_headers": dict[str, str] | None,
    },
    "answer": _CALL_OF_APPLICATION
    | {
        "answer_time": datetime,
        "machine_detection_result": MachineDetectionResult | None,
        "sip_call_id": str | None,
    },
    "disconnect": _CALL_OF_APPLICATION
    | _ERROR
    | {
        "end_time": datetime,
        "cause": CallCause | str,
        "answer_time": datetime | None,
        "sip_call_id": str | None,
        "sip_response_code": int | None,
    },
    "redirect": _CALL_OF_APPLICATION | _B_LEG | {"answer_time": datetime | None},
    "machineDetectionComplete": _CALL_OF_APPLICATION
    | {"answer_time": datetime, "machine_detection_result": MachineDetectionResult},
    "gather": _CALL_OF_APPLICATION
    | _B_LEG
    | {"answer_time": datetime, "digits": str | None, "terminating_digit": str | None},
    "dtmf": _CALL_OF_APPLICATION | _B_LEG | {"answer_time": datetime, "digit": str},
    "transferAnswer": _CALL_OF_APPLICATION | _TRANSFERRED | {"answer_time": datetime},
    "transferComplete": _CALL_OF_APPLICATION
    | _ERROR
    | {
        "answer_time": datetime,
        "transfer_caller_id": str,
        "transfer_to": str,
        "cause": CallCause | str,
    },
    "transferDisconnect": _CALL
    | _ERROR
    | _TRANSFERRED
    | {
        "end_time": datetime,
        "cause": CallCause | str,
        "account_id": str | None,
        "application_id": str | None,
        "answer_time": datetime | None,
    },
    "bridgeComplete": _CALL_OF_APPLICATION
    | _ERROR
    | {
        "answer_time": datetime,
        "cause": CallCause | str | None,
        "transfer_caller_id": str | None,
        "transfer_to": str | None,
    },
    "bridgeTargetComplete": _CALL_OF_APPLICATION | {"answer_time": datetime},
    "recordComplete": _CALL_OF_APPLICATION
    | _B_LEG
    | _RECORDING
    | {"answer_time": datetime, "channels": int},
    "referComplete": _CALL_OF_APPLICATION
    | {
        "refer_call_status": ReferStatus | str,
        "answer_time": datetime | None,
        "refer_sip_response_code": int | None,
        "notify_sip_response_code": int | None,
    },
    "recordingAvailable": _CALL_OF_APPLICATION
    | _B_LEG
    | _RECORDING
    | {"channels": int, "status": RecordingStatus | str},
    "transcriptionAvailable": _CALL_OF_APPLICATION
    | _B_LEG
    | _RECORDING
    | {"transcription": Transcription},
    "mediaStreamStarted": _CALL_OF_APPLICATION
    | {"answer_time": datetime, "media_stream": MediaStream},
    "mediaStreamRejected": _CALL_OF_APPLICATION
    | {
        "answer_time": datetime,
        "media_stream": MediaStream,
        "cause": RejectionCause | str,
        "error_message": str,
        "original_media_stream": MediaStream | None,
    },
    "mediaStreamStopped": _CALL_OF_APPLICATION
    | {
        "answer_time": datetime,
        "media_stream": MediaStream,
        "cause": StopCause | str,
        "error_message": str | None,
    },
    "realTimeTranscriptionStarted": _CALL_OF_APPLICATION
    | {"answer_time": datetime, _RTT: RealTimeTranscription},
    "realTimeTranscriptionAvailable": _CALL_OF_APPLICATION
    | {"answer_time": datetime, _RTT: RealTimeTranscription},
    "realTimeTranscriptionRejected": _CALL_OF_APPLICATION
    | {
        "answer_time": datetime,
        _RTT: RealTimeTranscription,
        "cause": RejectionCause | str,
        "error_message": str,
        "original_transcription": RealTimeTranscription | None,
    },
    "realTimeTranscriptionStopped": _CALL_OF_APPLICATION
    | {
        "answer_time": datetime,
        _RTT: RealTimeTranscription,
        "cause": StopCause | str,
        "error_message": str | None,
    },
}
#: Other ``eventType`` values bandwidth_events reads as the same event.
EVENT_TYPE_ALIASES = {"recordComplete": ("recordingComplete",)}
#: A field's second documented wire key.
ALIASES = {_RTT: "transcription"}


def split(annotation: Any) -> tuple[Any, bool]:  # noqa: ANN401 -- any annotation
    """Give the type inside ``X | None``, and whether the field is optional."""
    if isinstance(annotation, UnionType) and NoneType in get_args(annotation):
        rest = [arg for arg in get_args(annotation) if arg is not NoneType]
        return (rest[0] if len(rest) == 1 else rest[0] | rest[1]), True
    return annotation, False


def open_enum(annotation: Any) -> type[StrEnum] | None:  # noqa: ANN401 -- any annotation
    """Give the enum of an open enum's type (``Enum | str``), or None for any other type."""
    args = get_args(annotation)
    if isinstance(annotation, UnionType) and isinstance(args[0], type):
        return args[0] if issubclass(args[0], StrEnum) and args[1:] == (str,) else None
    return None


def class_name(event_type: str) -> str:
    """Give a peer's class name for an ``eventType``: ``answer`` is ``Answer``."""
    return event_type[0].upper() + event_type[1:]
