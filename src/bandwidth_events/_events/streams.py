"""Media streams: a ``<StartStream>`` started, was rejected, stopped."""

from datetime import datetime
from typing import ClassVar, Literal

import attrs

from bandwidth_events._enums import RejectionCause, StopCause

from .base import AccountCallEventBase, prepare, wire
from .objects import MediaStream

_REJECTED = "why the stream was rejected."
_STOPPED = "why the stream stopped."


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MediaStreamStarted(AccountCallEventBase):
    """A media stream started (``mediaStreamStarted``).

    Sent to the ``streamEventUrl`` of the ``<StartStream>``. Bandwidth does not take BXML in
    the answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["mediaStreamStarted"]] = "mediaStreamStarted"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    media_stream: MediaStream
    enqueued_time: datetime | None = None
    tag: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MediaStreamRejected(AccountCallEventBase):
    """A media stream could not start (``mediaStreamRejected``).

    Sent to the ``streamEventUrl`` of the ``<StartStream>``. Bandwidth does not take BXML in
    the answer: answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["mediaStreamRejected"]] = "mediaStreamRejected"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    media_stream: MediaStream = wire(doc="the stream that was rejected.")
    cause: RejectionCause | str = wire(doc=_REJECTED)
    error_message: str = wire(doc="what went wrong, in words.")
    original_media_stream: MediaStream | None = None
    enqueued_time: datetime | None = None
    tag: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MediaStreamStopped(AccountCallEventBase):
    """A media stream stopped (``mediaStreamStopped``).

    Sent to the ``streamEventUrl`` of the ``<StartStream>`` on ``<StopStream>``, or when the
    stream ends otherwise (the call hung up, say). Bandwidth does not take BXML in the answer:
    answer an empty ``204`` (``accepts_bxml`` is ``False``).
    """

    event_type: ClassVar[Literal["mediaStreamStopped"]] = "mediaStreamStopped"
    accepts_bxml: ClassVar[Literal[False]] = False

    answer_time: datetime
    media_stream: MediaStream
    cause: StopCause | str = wire(doc=_STOPPED)
    error_message: str | None = wire(
        doc="what went wrong, in words, when the cause is not ``closed``.", default=None
    )
    enqueued_time: datetime | None = None
    tag: str | None = None
