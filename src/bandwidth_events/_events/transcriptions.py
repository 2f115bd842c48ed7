"""Real-time transcriptions: a ``<StartTranscription>`` started, was rejected, stopped, is ready.

Bandwidth's tables name the transcription object ``realTimeTranscription`` on all four events;
its examples of the rejected and stopped events send it as ``transcription``. Each event reads
either key and writes back the one that arrived.
"""

from datetime import datetime
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import RejectionCause, StopCause

from .base import SPELLING, AccountCallEventBase, prepare, wire
from .objects import RealTimeTranscription


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RealTimeTranscriptionStarted(AccountCallEventBase):
    """A real-time transcription started (``realTimeTranscriptionStarted``).

    Sent to the ``transcriptionEventUrl`` of the ``<StartTranscription>``. Bandwidth does not
    take BXML in the answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["realTimeTranscriptionStarted"]] = "realTimeTranscriptionStarted"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    real_time_transcription: RealTimeTranscription = wire(alias="transcription")
    enqueued_time: datetime | None = None
    tag: str | None = None
    wire_spelling: frozenset[str] = SPELLING


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RealTimeTranscriptionAvailable(AccountCallEventBase):
    """A real-time transcription can be downloaded (``realTimeTranscriptionAvailable``).

    Sent to the ``transcriptionEventUrl`` of the ``<StartTranscription>`` once the
    transcription is complete, or has failed (its ``status``). Bandwidth does not take BXML in
    the answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["realTimeTranscriptionAvailable"]] = (
        "realTimeTranscriptionAvailable"
    )
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    real_time_transcription: RealTimeTranscription = wire(alias="transcription")
    enqueued_time: datetime | None = None
    tag: str | None = None
    wire_spelling: frozenset[str] = SPELLING


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RealTimeTranscriptionRejected(AccountCallEventBase):
    """A real-time transcription could not start (``realTimeTranscriptionRejected``).

    Sent to the ``transcriptionEventUrl`` of the ``<StartTranscription>``. Bandwidth does not
    take BXML in the answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["realTimeTranscriptionRejected"]] = "realTimeTranscriptionRejected"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    real_time_transcription: RealTimeTranscription = wire(
        doc="the transcription that was rejected.", alias="transcription"
    )
    cause: RejectionCause | str = wire(doc="why the transcription was rejected.")
    error_message: str = wire(doc="what went wrong, in words.")
    original_transcription: RealTimeTranscription | None = None
    enqueued_time: datetime | None = None
    tag: str | None = None
    wire_spelling: frozenset[str] = SPELLING


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RealTimeTranscriptionStopped(AccountCallEventBase):
    """A real-time transcription stopped (``realTimeTranscriptionStopped``).

    Sent to the ``transcriptionEventUrl`` of the ``<StartTranscription>`` on
    ``<StopTranscription>``, or when it ends otherwise. Bandwidth does not take BXML in the
    answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["realTimeTranscriptionStopped"]] = "realTimeTranscriptionStopped"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    real_time_transcription: RealTimeTranscription = wire(alias="transcription")
    cause: StopCause | str = wire(doc="why the transcription stopped.")
    error_message: str | None = wire(
        doc="what went wrong, in words, when the cause is not ``closed``.", default=None
    )
    enqueued_time: datetime | None = None
    tag: str | None = None
    wire_spelling: frozenset[str] = SPELLING
