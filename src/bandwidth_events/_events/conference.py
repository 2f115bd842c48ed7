"""The conference events: a conference's life, its members, its recordings."""

from datetime import datetime, timedelta
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import FileFormat, RecordingStatus

from .base import ConferenceEventBase, prepare, wire


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceCreated(ConferenceEventBase):
    """A conference has started (``conferenceCreated``).

    Sent to the conference's event URL when the conference is created. Answer ``200`` with
    BXML to act on the conference (``accepts_bxml``), or an empty ``204``.
    """

    event_type: ClassVar[Literal["conferenceCreated"]] = "conferenceCreated"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceRedirect(ConferenceEventBase):
    """A conference was redirected to new BXML (``conferenceRedirect``).

    Sent to the conference's new event URL after an API request updated the conference with
    ``redirectUrl``. Answer ``200`` with BXML (``accepts_bxml``), or an empty ``204``.
    """

    event_type: ClassVar[Literal["conferenceRedirect"]] = "conferenceRedirect"
    accepts_bxml: ClassVar[Literal[True]] = True


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceMemberJoin(ConferenceEventBase):
    """A call joined a conference (``conferenceMemberJoin``).

    Sent to the conference's event URL each time a call joins the conference.
    Answer ``200`` with BXML to act on the conference (``accepts_bxml``), or an empty ``204``.
    """

    event_type: ClassVar[Literal["conferenceMemberJoin"]] = "conferenceMemberJoin"
    accepts_bxml: ClassVar[Literal[True]] = True

    call_id: str = wire(doc="the call that joined, e.g. ``c-…``.")
    from_: str
    to: str


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceMemberExit(ConferenceEventBase):
    """A call left a conference (``conferenceMemberExit``).

    Sent to the conference's event URL each time a call leaves the conference. Answer ``200``
    with BXML to act on the conference (``accepts_bxml``), or an empty ``204``.
    """

    event_type: ClassVar[Literal["conferenceMemberExit"]] = "conferenceMemberExit"
    accepts_bxml: ClassVar[Literal[True]] = True

    call_id: str = wire(doc="the call that left, e.g. ``c-…``.")
    from_: str
    to: str


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceCompleted(ConferenceEventBase):
    """A conference has ended (``conferenceCompleted``).

    Sent to the conference's event URL once every member has left. Bandwidth ignores the
    answer: it expects an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["conferenceCompleted"]] = "conferenceCompleted"
    accepts_bxml: ClassVar[Literal[False]] = False


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class ConferenceRecordingAvailable(ConferenceEventBase):
    """A conference recording can be downloaded (``conferenceRecordingAvailable``).

    Sent to the ``recordingAvailableUrl`` of a ``<StartRecording>`` run in a conference, once the
    recording is done. Bandwidth ignores the answer: it expects an empty ``204``
    (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["conferenceRecordingAvailable"]] = "conferenceRecordingAvailable"
    accepts_bxml: ClassVar[Literal[False]] = False

    account_id: str = wire(doc="the account that owns the conference, a string of digits.")
    recording_id: str
    channels: int = wire(doc="the number of audio channels; always 1 for conferences.")
    start_time: datetime = wire(doc="when the recording started, in UTC.")
    end_time: datetime = wire(doc="when the recording ended, in UTC.")
    duration: timedelta
    file_format: FileFormat | str
    status: RecordingStatus | str
    media_url: str | None = None
