"""The peers, written for the comparison: the six events as pydantic v2 models and msgspec Structs.

Each models what bandwidth_events models, as far as the library lets it: camelCase aliases,
timezone-aware datetimes, `timedelta` durations, open enums where the library has a union for
them, optional ``tag``/``mediaUrl``, unknown keys kept (pydantic ``extra="allow"``; msgspec
drops them, having no place for them), frozen instances, and dispatch on ``eventType``.
"""

from datetime import datetime, timedelta
from typing import Annotated, Literal

import msgspec
import pydantic
from pydantic.alias_generators import to_camel

from bandwidth_events import FileFormat, RecordingStatus

# --- pydantic v2 -------------------------------------------------------------------------------


class PydanticConferenceEvent(pydantic.BaseModel):
    """The common conference fields."""

    model_config = pydantic.ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="allow"
    )

    event_time: datetime
    conference_id: str
    name: str
    tag: str | None = None


class PydanticCreated(PydanticConferenceEvent):
    """conferenceCreated."""

    event_type: Literal["conferenceCreated"]


class PydanticRedirect(PydanticConferenceEvent):
    """conferenceRedirect."""

    event_type: Literal["conferenceRedirect"]


class PydanticCompleted(PydanticConferenceEvent):
    """conferenceCompleted."""

    event_type: Literal["conferenceCompleted"]


class PydanticMemberEvent(PydanticConferenceEvent):
    """The fields of a member joining or leaving."""

    call_id: str
    from_: str = pydantic.Field(alias="from")
    to: str


class PydanticMemberJoin(PydanticMemberEvent):
    """conferenceMemberJoin."""

    event_type: Literal["conferenceMemberJoin"]


class PydanticMemberExit(PydanticMemberEvent):
    """conferenceMemberExit."""

    event_type: Literal["conferenceMemberExit"]


class PydanticRecordingAvailable(PydanticConferenceEvent):
    """conferenceRecordingAvailable."""

    event_type: Literal["conferenceRecordingAvailable"]
    account_id: str
    recording_id: str
    channels: int
    start_time: datetime
    end_time: datetime
    duration: timedelta
    file_format: FileFormat | str
    status: RecordingStatus | str
    media_url: str | None = None


PydanticEvent = pydantic.TypeAdapter(
    Annotated[
        PydanticCreated
        | PydanticRedirect
        | PydanticCompleted
        | PydanticMemberJoin
        | PydanticMemberExit
        | PydanticRecordingAvailable,
        pydantic.Field(discriminator="event_type"),
    ]
)
PYDANTIC_CLASSES: dict[str, type[PydanticConferenceEvent]] = {
    "conferenceCreated": PydanticCreated,
    "conferenceRedirect": PydanticRedirect,
    "conferenceCompleted": PydanticCompleted,
    "conferenceMemberJoin": PydanticMemberJoin,
    "conferenceMemberExit": PydanticMemberExit,
    "conferenceRecordingAvailable": PydanticRecordingAvailable,
}


# --- msgspec -----------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")  # from_ is the wire's from
    return head + "".join(part.capitalize() for part in rest)


class _MsgspecEvent(
    msgspec.Struct, frozen=True, kw_only=True, rename=_camel, tag_field="eventType"
):
    event_time: datetime
    conference_id: str
    name: str
    tag: str | None = None


class MsgspecCreated(_MsgspecEvent, tag="conferenceCreated"):
    """conferenceCreated."""


class MsgspecRedirect(_MsgspecEvent, tag="conferenceRedirect"):
    """conferenceRedirect."""


class MsgspecCompleted(_MsgspecEvent, tag="conferenceCompleted"):
    """conferenceCompleted."""


class _MsgspecMemberEvent(_MsgspecEvent):
    call_id: str
    from_: str
    to: str


class MsgspecMemberJoin(_MsgspecMemberEvent, tag="conferenceMemberJoin"):
    """conferenceMemberJoin."""


class MsgspecMemberExit(_MsgspecMemberEvent, tag="conferenceMemberExit"):
    """conferenceMemberExit."""


class MsgspecRecordingAvailable(_MsgspecEvent, tag="conferenceRecordingAvailable"):
    """conferenceRecordingAvailable (open enums as plain strings: msgspec has no such union)."""

    account_id: str
    recording_id: str
    channels: int
    start_time: datetime
    end_time: datetime
    duration: timedelta
    file_format: str
    status: str
    media_url: str | None = None


MSGSPEC_DECODER = msgspec.json.Decoder(
    MsgspecCreated
    | MsgspecRedirect
    | MsgspecCompleted
    | MsgspecMemberJoin
    | MsgspecMemberExit
    | MsgspecRecordingAvailable
)
MSGSPEC_ENCODER = msgspec.json.Encoder()
