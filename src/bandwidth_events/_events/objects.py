"""The objects nested in call events: each keeps its own unknown keys, like an event."""

from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from bandwidth_events._enums import (
    DiversionReason,
    MachineDetectionValue,
    StreamTrack,
    TranscriptionStatus,
)

from .base import SPELLING, Model, prepare, wire


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MachineDetectionResult(Model):
    """What answering-machine detection decided (``machineDetectionResult``)."""

    value: MachineDetectionValue | str
    duration: timedelta = wire(doc="how long detection took to decide.")


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Diversion(Model):
    """The most recent SIP ``Diversion`` header of a diverted call (``diversion``).

    Its keys follow the header's parameters, so Bandwidth says to expect keys and values it
    does not list: those are kept in ``extra_fields`` (its own example sends ``unknown``).
    """

    keys_vary: ClassVar[bool] = True
    orig_to: str
    reason: DiversionReason | str | None = None
    screen: str | None = None
    privacy: str | None = None
    counter: str | None = None
    limit: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class StirShaken(Model):
    """The result of Bandwidth's STIR/SHAKEN verification of an inbound call (``stirShaken``)."""

    verstat: str | None = None
    attestation_indicator: str | None = None
    originating_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class Transcription(Model):
    """A recording's transcription (``transcription`` of ``transcriptionAvailable``).

    Bandwidth's sources give two shapes with no key in common: its docs' examples send where
    to download it (``id``, ``url``, ``status``, ``completedTime``), its API spec the text
    itself (``text``, ``confidence``, and in the SDK's spec ``speaker``). Every key of both is
    modelled, each optional, so either shape (or both) is read.
    """

    id: str | None = wire(doc="the transcription's id, e.g. ``t-…``.", default=None)
    url: str | None = None
    status: TranscriptionStatus | str | None = wire(
        doc="whether the transcription can be downloaded.", default=None
    )
    completed_time: datetime | None = None
    text: str | None = None
    confidence: float | None = None
    speaker: int | None = None


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class MediaStream(Model):
    """A media stream of a call, started by ``<StartStream>`` (``mediaStream``)."""

    id: str = wire(doc="the stream's id, e.g. ``s-…``.")
    name: str = wire(doc="the stream's name: the ``name`` given to ``<StartStream>``, else its id.")
    destination: str
    start_time: datetime = wire(doc="when the stream started (approximate), in UTC.")
    tracks: tuple[StreamTrack | str, ...]
    type: str
    duration: timedelta | None = wire(
        doc="how long the stream was active (when it stopped).", default=None
    )


@attrs.frozen(kw_only=True, field_transformer=prepare, repr=False)
class RealTimeTranscription(Model):
    """A real-time transcription of a call, started by ``<StartTranscription>``.

    ``realTimeTranscription`` (or ``transcription``) on the real-time transcription events.
    """

    id: str = wire(doc="the transcription's id, e.g. ``t-…``.")
    name: str = wire(doc="its name: the ``name`` given to ``<StartTranscription>``, else its id.")
    start_time: datetime = wire(doc="when it started (approximate), in UTC.")
    tracks: tuple[StreamTrack | str, ...]
    destination: str | None = None
    stabilized: bool | None = None
    status: TranscriptionStatus | str | None = wire(
        doc="whether the transcription can be downloaded (when available).", default=None
    )
    url: str | None = None
    completed_time: datetime | None = None
    duration: timedelta | None = wire(doc="how long it was active (when it stopped).", default=None)
    wire_spelling: frozenset[str] = SPELLING


__all__ = [
    "Diversion",
    "MachineDetectionResult",
    "MediaStream",
    "RealTimeTranscription",
    "StirShaken",
    "Transcription",
]
