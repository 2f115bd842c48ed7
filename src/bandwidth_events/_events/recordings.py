"""Recordings and their transcriptions, ready to download."""

from datetime import datetime, timedelta
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import FileFormat, RecordingStatus

from .base import LegCallEventBase, prepare, wire
from .objects import Transcription

_RECORDING_START = "when the recording started, in UTC."
_RECORDING_END = "when the recording ended, in UTC."


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RecordingAvailable(LegCallEventBase):
    """A call recording can be downloaded (``recordingAvailable``).

    Sent to the ``recordingAvailableUrl`` of a ``<Record>`` or ``<StartRecording>``. Bandwidth
    ignores the answer: it expects an empty ``204`` (``accepts_bxml`` is ``False``). Download
    the media after answering, not before: the request times out after 15 seconds by default.
    """

    event_type: ClassVar[Literal["recordingAvailable"]] = "recordingAvailable"
    accepts_bxml: ClassVar[Literal[False]] = False

    recording_id: str
    start_time: datetime = wire(doc=_RECORDING_START)
    end_time: datetime = wire(doc=_RECORDING_END)
    duration: timedelta
    channels: int = wire(doc="the number of audio channels in the recording, 1 or 2.")
    file_format: FileFormat | str
    status: RecordingStatus | str
    media_url: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class TranscriptionAvailable(LegCallEventBase):
    """A recording's transcription is ready (``transcriptionAvailable``).

    Sent to the ``transcriptionAvailableUrl`` of a ``<Record>`` or ``<StartRecording>``, or to
    the ``callbackUrl`` of an API request to transcribe a recording. Bandwidth ignores the
    answer: it expects an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["transcriptionAvailable"]] = "transcriptionAvailable"
    accepts_bxml: ClassVar[Literal[False]] = False

    recording_id: str
    start_time: datetime = wire(doc=_RECORDING_START)
    end_time: datetime = wire(doc=_RECORDING_END)
    duration: timedelta
    file_format: FileFormat | str
    transcription: Transcription
    media_url: str | None = None
