"""The event models: frozen attrs classes that hold data and documentation, nothing else.

How they map to the wire (camelCase names, timestamps, durations, open enums, nested objects) is
the field kinds' job (``_kinds``), read by the converter and the generated readers. A module per
family of events; the unions below are the registry: a new event is a class in its family's
module plus one line in its union, and `EVENT_CLASSES` follows.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Final, Literal, TypeAlias, cast, get_args

import attrs

from bandwidth_events._json import frozen_object
from bandwidth_events._naming import EVENT_TYPE

from .base import Model
from .calls import Answer, Disconnect, Initiate, MachineDetectionComplete, Redirect
from .catalogue import document
from .conference import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
)
from .objects import (
    Diversion,
    MachineDetectionResult,
    MediaStream,
    RealTimeTranscription,
    StirShaken,
    Transcription,
)
from .recordings import RecordingAvailable, TranscriptionAvailable
from .streams import MediaStreamRejected, MediaStreamStarted, MediaStreamStopped
from .transcriptions import (
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
)
from .verbs import (
    BridgeComplete,
    BridgeTargetComplete,
    Dtmf,
    Gather,
    RecordComplete,
    ReferComplete,
    TransferAnswer,
    TransferComplete,
    TransferDisconnect,
)


def _has_event_type(_instance: object, _attribute: object, value: Mapping[str, object]) -> None:
    if not isinstance(value.get(EVENT_TYPE), str):
        raise TypeError(f"an UnknownEvent's payload needs a string {EVENT_TYPE}")


@attrs.frozen
class UnknownEvent:
    """A webhook whose ``eventType`` this version does not model yet.

    `parse_event` returns one instead of failing, so a receiver keeps working when Bandwidth
    adds an event, and `to_dict` gives the payload back unchanged.

    Attributes:
        accepts_bxml: Always ``False``: with the event unknown, whether Bandwidth would run
            BXML is unknown too, and an empty ``204`` is an answer every event accepts.
        payload: The decoded body, as received (a read-only copy). Not part of the hash.
    """

    accepts_bxml: ClassVar[Literal[False]] = False

    payload: Mapping[str, object] = attrs.field(
        converter=frozen_object, validator=_has_event_type, hash=False
    )

    @property
    def event_type(self) -> str:
        """The wire's ``eventType``, e.g. ``"callInitiated"``."""
        return cast("str", self.payload[EVENT_TYPE])  # the validator checked it

    def __reduce__(self) -> tuple[object, ...]:
        # The read-only payload cannot be pickled: rebuild from a plain copy.
        return (UnknownEvent, (dict(self.payload),))


#: Any call webhook: the 23 call, stream and transcription events, for ``match`` with
#: ``assert_never``.
CallEvent: TypeAlias = (
    Initiate
    | Answer
    | Disconnect
    | Redirect
    | MachineDetectionComplete
    | Gather
    | Dtmf
    | TransferAnswer
    | TransferComplete
    | TransferDisconnect
    | BridgeComplete
    | BridgeTargetComplete
    | RecordComplete
    | ReferComplete
    | RecordingAvailable
    | TranscriptionAvailable
    | MediaStreamStarted
    | MediaStreamRejected
    | MediaStreamStopped
    | RealTimeTranscriptionStarted
    | RealTimeTranscriptionAvailable
    | RealTimeTranscriptionRejected
    | RealTimeTranscriptionStopped
)

#: Any conference webhook: the six conference events.
ConferenceEvent: TypeAlias = (
    ConferenceCreated
    | ConferenceRedirect
    | ConferenceMemberJoin
    | ConferenceMemberExit
    | ConferenceCompleted
    | ConferenceRecordingAvailable
)

#: Any voice webhook this version models: the union `parse_event` returns (besides
#: `UnknownEvent`).
VoiceEvent: TypeAlias = CallEvent | ConferenceEvent

#: Every event class, by each wire ``eventType`` it is sent with: the one table `parse_event`
#: dispatches on.
EVENT_CLASSES: Final[Mapping[str, type[VoiceEvent]]] = MappingProxyType(
    {
        event_type: cls
        for cls in get_args(VoiceEvent)
        for event_type in (cls.event_type, *cls.event_type_aliases)
    }
)

#: The event classes, as a set: whether a class is one.
EVENT_CLASS_SET: Final[frozenset[type[VoiceEvent]]] = frozenset(EVENT_CLASSES.values())

#: The objects nested in events.
NESTED_CLASSES: Final = (
    MachineDetectionResult,
    Diversion,
    StirShaken,
    Transcription,
    MediaStream,
    RealTimeTranscription,
)

#: Every class that models a JSON object of the wire: the events and the nested objects.
MODEL_CLASSES: Final[tuple[type[Model], ...]] = (*get_args(VoiceEvent), *NESTED_CLASSES)

for _cls in MODEL_CLASSES:
    document(_cls)

__all__ = [
    "EVENT_CLASSES",
    "EVENT_CLASS_SET",
    "MODEL_CLASSES",
    "NESTED_CLASSES",
    "Answer",
    "BridgeComplete",
    "BridgeTargetComplete",
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
    "Dtmf",
    "Gather",
    "Initiate",
    "MachineDetectionComplete",
    "MachineDetectionResult",
    "MediaStream",
    "MediaStreamRejected",
    "MediaStreamStarted",
    "MediaStreamStopped",
    "Model",
    "RealTimeTranscription",
    "RealTimeTranscriptionAvailable",
    "RealTimeTranscriptionRejected",
    "RealTimeTranscriptionStarted",
    "RealTimeTranscriptionStopped",
    "RecordComplete",
    "RecordingAvailable",
    "Redirect",
    "ReferComplete",
    "StirShaken",
    "Transcription",
    "TranscriptionAvailable",
    "TransferAnswer",
    "TransferComplete",
    "TransferDisconnect",
    "UnknownEvent",
    "VoiceEvent",
]
