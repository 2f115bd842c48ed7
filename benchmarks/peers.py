"""The peers, written for the comparison: the 29 events as pydantic v2 models and msgspec Structs.

Every event and nested object is one entry of a table below (`OBJECTS`, `EVENTS`): its fields,
in snake_case, with the types bandwidth_events gives them. From that table three peers are built,
each an ordinary model class, the same as one written out by hand:

- ``pydantic``, the equivalent model: does what bandwidth_events does. Timestamps are aware UTC
  datetimes (strict, a value with no zone read as UTC, any offset converted), integers strict
  (``"1"`` and ``1.0`` refused), durations strict and never negative, an open enum a member for
  a value it knows and the plain string otherwise.
- ``pydantic lax``, the lenient model: pydantic's default types, as the six conference peers
  were written before the call events came: naive datetimes kept as naive and offsets kept,
  ``"1"`` read as 1, negative durations and numbers of seconds read, open enums left as strings.
- msgspec: its default types, open enums as plain strings (it has no such union), string
  booleans as strings; it drops unknown keys, having no place for them.

All of them: camelCase aliases, optional fields ``None`` when absent, unknown keys kept (pydantic
``extra="allow"``), frozen instances, dispatch on ``eventType``. Neither pydantic nor msgspec
keeps nanoseconds (bandwidth_events does), nor writes a field back under the second spelling it
arrived in (``transcription`` for ``realTimeTranscription``): pydantic reads both spellings
(`AliasChoices`), msgspec, which has no such choice, declares both keys optional.
"""

import operator
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import reduce
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec
import pydantic
from pydantic.alias_generators import to_camel

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


def _split(annotation: Any) -> tuple[Any, bool]:  # noqa: ANN401 -- any annotation
    """Give the type inside ``X | None``, and whether the field is optional."""
    if isinstance(annotation, UnionType) and NoneType in get_args(annotation):
        rest = [arg for arg in get_args(annotation) if arg is not NoneType]
        return (rest[0] if len(rest) == 1 else rest[0] | rest[1]), True
    return annotation, False


def _open_enum(annotation: Any) -> type[StrEnum] | None:  # noqa: ANN401 -- any annotation
    args = get_args(annotation)
    if isinstance(annotation, UnionType) and isinstance(args[0], type):
        return args[0] if issubclass(args[0], StrEnum) and args[1:] == (str,) else None
    return None


def _class_name(event_type: str) -> str:
    return event_type[0].upper() + event_type[1:]


# --- pydantic v2 -------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    """bandwidth_events' rule: a timestamp with no zone is UTC, any other is converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, pydantic.Strict(), pydantic.AfterValidator(_utc)]
Duration = Annotated[timedelta, pydantic.Strict(), pydantic.Field(ge=timedelta(0))]
_EQUIVALENT_TYPES: dict[Any, Any] = {
    datetime: UtcDatetime,
    timedelta: Duration,
    int: pydantic.StrictInt,
}


class PydanticModel(pydantic.BaseModel):
    """What every model shares: camelCase aliases, frozen, unknown keys kept."""

    model_config = pydantic.ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="allow"
    )


def _pydantic_type(annotation: Any, models: Mapping[type, type], *, equivalent: bool) -> Any:  # noqa: ANN401 -- any annotation
    inner, optional = _split(annotation)
    enum = _open_enum(inner)
    if enum is not None:
        mapped: Any = (
            Annotated[enum | str, pydantic.Field(union_mode="left_to_right")]
            if equivalent
            else enum | str  # smart mode: a JSON string stays a str
        )
    elif get_origin(inner) is tuple:
        mapped = tuple[_pydantic_type(get_args(inner)[0], models, equivalent=equivalent), ...]  # type: ignore[misc]
    elif inner in models:
        mapped = models[inner]
    else:
        mapped = _EQUIVALENT_TYPES.get(inner, inner) if equivalent else inner
    return mapped | None if optional else mapped


def _pydantic_field(
    name: str,
    annotation: Any,  # noqa: ANN401 -- any annotation
    models: Mapping[type, type],
    *,
    equivalent: bool,
) -> tuple[Any, Any]:
    """Give a field's type and default (``...``: required), or its `pydantic.Field`."""
    kinds = _pydantic_type(annotation, models, equivalent=equivalent)
    default: Any = None if _split(annotation)[1] else ...
    if name == "from_":
        return kinds, pydantic.Field(default, alias="from")
    if name in ALIASES:
        wire = to_camel(name)
        choices = pydantic.AliasChoices(wire, ALIASES[name])
        return kinds, pydantic.Field(default, validation_alias=choices, serialization_alias=wire)
    return kinds, default


def _pydantic_models(*, equivalent: bool, prefix: str) -> dict[str, type[PydanticModel]]:
    """Build every event's model, and the nested objects' before them."""
    models: dict[type, type] = {}
    for cls, fields in OBJECTS.items():
        models[cls] = pydantic.create_model(  # type: ignore[call-overload]
            f"{prefix}{cls.__name__}",
            __base__=PydanticModel,
            **{n: _pydantic_field(n, t, models, equivalent=equivalent) for n, t in fields.items()},
        )
    events: dict[str, type[PydanticModel]] = {}
    for event_type, fields in EVENTS.items():
        tags = (event_type, *EVENT_TYPE_ALIASES.get(event_type, ()))
        events[event_type] = pydantic.create_model(  # type: ignore[call-overload]
            f"{prefix}{_class_name(event_type)}",
            __base__=PydanticModel,
            event_type=(Literal[tags], ...),
            **{n: _pydantic_field(n, t, models, equivalent=equivalent) for n, t in fields.items()},
        )
    return events


def _dispatching(models: Mapping[str, type[PydanticModel]]) -> pydantic.TypeAdapter[Any]:
    union = reduce(operator.or_, models.values())
    return pydantic.TypeAdapter(Annotated[union, pydantic.Field(discriminator="event_type")])


PYDANTIC_CLASSES = _pydantic_models(equivalent=True, prefix="Pydantic")
PydanticEvent = _dispatching(PYDANTIC_CLASSES)
PYDANTIC_LAX_CLASSES = _pydantic_models(equivalent=False, prefix="PydanticLax")
PydanticLaxEvent = _dispatching(PYDANTIC_LAX_CLASSES)


# --- msgspec -----------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")  # from_ is the wire's from
    return head + "".join(part.capitalize() for part in rest)


class _MsgspecObject(msgspec.Struct, frozen=True, kw_only=True, rename=_camel):
    """A nested object."""


class _MsgspecEvent(_MsgspecObject, tag_field="eventType"):
    """An event, tagged by its ``eventType``."""


def _msgspec_type(annotation: Any, structs: Mapping[type, type]) -> Any:  # noqa: ANN401 -- any annotation
    inner, optional = _split(annotation)
    if _open_enum(inner) is not None:
        mapped: Any = str
    elif inner is bool:
        mapped = str | bool  # Bandwidth sends "true" and "false"
    elif get_origin(inner) is tuple:
        mapped = tuple[_msgspec_type(get_args(inner)[0], structs), ...]  # type: ignore[misc]
    else:
        mapped = structs.get(inner, inner)
    return mapped | None if optional else mapped


def _msgspec_fields(fields: Fields, structs: Mapping[type, type]) -> list[tuple[Any, ...]]:
    made: list[tuple[Any, ...]] = []
    for name, annotation in fields.items():
        kind = _msgspec_type(annotation, structs)
        if name in ALIASES:  # either key may come: both optional
            made += [(name, kind | None, None), (ALIASES[name], kind | None, None)]
        else:
            made.append((name, kind, None) if _split(annotation)[1] else (name, kind))
    return made


def _msgspec_structs() -> dict[str, type]:
    structs: dict[type, type] = {}
    for cls, fields in OBJECTS.items():
        structs[cls] = msgspec.defstruct(
            f"Msgspec{cls.__name__}",
            _msgspec_fields(fields, structs),
            bases=(_MsgspecObject,),
            kw_only=True,
        )
    # One tag per Struct: recordComplete's second eventType is not read.
    return {
        event_type: msgspec.defstruct(
            f"Msgspec{_class_name(event_type)}",
            _msgspec_fields(fields, structs),
            bases=(_MsgspecEvent,),
            kw_only=True,
            tag=event_type,
        )
        for event_type, fields in EVENTS.items()
    }


MSGSPEC_CLASSES = _msgspec_structs()
MSGSPEC_DECODER = msgspec.json.Decoder(reduce(operator.or_, MSGSPEC_CLASSES.values()))
MSGSPEC_ENCODER = msgspec.json.Encoder()
