"""Open enums: the documented values as enum members, any other value kept as a string.

Bandwidth's spec says apps must tolerate values it adds later. A field typed
``RecordingStatus | str`` holds a `RecordingStatus` member for every value this version knows
and the plain string for any other, so nothing is lost and the type checker makes handler code
tell the two apart (``isinstance(status, RecordingStatus)``). One rule reads and writes them all
(``_kinds``): a new open enum is a class here and an annotation on its field.
"""

from enum import StrEnum


class RecordingStatus(StrEnum):
    """The state of a recording, as ``status`` says on the wire.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    COMPLETE = "complete"
    """The recording is finished and can be downloaded from ``media_url``."""
    PARTIAL = "partial"
    """Downloadable, but parts of the recording are missing."""
    ERROR = "error"
    """The recording failed; there is usually no ``media_url``."""
    PROCESSING = "processing"
    """Not yet ready to download (listed in Bandwidth's spec, not in its docs)."""
    DELETED = "deleted"
    """The media was deleted (listed in Bandwidth's spec, not in its docs)."""


class FileFormat(StrEnum):
    """The audio format a recording was saved in, as ``fileFormat`` says on the wire.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    WAV = "wav"
    """WAV audio."""
    MP3 = "mp3"
    """MP3 audio."""


class CallDirection(StrEnum):
    """Which way a call goes, as ``direction`` says on the wire; it never changes for a call.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    INBOUND = "inbound"
    """The call came in to one of your numbers."""
    OUTBOUND = "outbound"
    """Your application placed the call."""


class CallCause(StrEnum):
    """Why a call (or a transfer or bridge leg) ended, as ``cause`` says on the wire.

    Bandwidth documents these values and says the list is not exhaustive: values it adds later
    arrive as plain strings (see the module docs on open enums).
    """

    HANGUP = "hangup"
    """One side hung up."""
    BUSY = "busy"
    """The callee was busy."""
    TIMEOUT = "timeout"
    """The call was not answered in time."""
    CANCEL = "cancel"
    """The call was cancelled before it was answered."""
    REJECTED = "rejected"
    """The callee rejected the call."""
    CALLBACK_ERROR = "callback-error"
    """A webhook to your application failed."""
    INVALID_BXML = "invalid-bxml"
    """Your application answered with BXML Bandwidth could not run."""
    APPLICATION_ERROR = "application-error"
    """Your application answered with an error."""
    ACCOUNT_LIMIT = "account-limit"
    """The account reached a call limit."""
    NODE_CAPACITY_EXCEEDED = "node-capacity-exceeded"
    """Bandwidth had no capacity for the call."""
    ERROR = "error"
    """Some other error; see ``error_message``."""
    UNKNOWN = "unknown"
    """Bandwidth does not know why."""


class MachineDetectionValue(StrEnum):
    """What answering-machine detection decided, as ``machineDetectionResult.value`` says.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    HUMAN = "human"
    """A person answered."""
    ANSWERING_MACHINE = "answering-machine"
    """A machine (voicemail) answered."""
    TONE_DETECTED = "tone-detected"
    """A machine's beep was heard (only where enabled on the account)."""
    SILENCE = "silence"
    """Nothing was heard."""
    TIMEOUT = "timeout"
    """Detection did not decide in time."""
    ERROR = "error"
    """Detection failed."""


class DiversionReason(StrEnum):
    """Why a call was diverted, as ``diversion.reason`` says (the SIP Diversion header).

    Bandwidth lists common values and says the list is not exhaustive: values it adds later
    arrive as plain strings (see the module docs on open enums).
    """

    UNKNOWN = "unknown"
    """No reason given."""
    USER_BUSY = "user-busy"
    """The diverting party was busy."""
    NO_ANSWER = "no-answer"
    """The diverting party did not answer."""
    UNAVAILABLE = "unavailable"
    """The diverting party was unavailable."""
    UNCONDITIONAL = "unconditional"
    """All calls are diverted."""
    TIME_OF_DAY = "time-of-day"
    """Diverted by a time-of-day rule."""
    DO_NOT_DISTURB = "do-not-disturb"
    """The diverting party is not to be disturbed."""
    DEFLECTION = "deflection"
    """The call was deflected."""
    FOLLOW_ME = "follow-me"
    """Diverted by a follow-me service."""
    OUT_OF_SERVICE = "out-of-service"
    """The diverting number is out of service."""
    AWAY = "away"
    """The diverting party is away."""


class StreamTrack(StrEnum):
    """A side of the call a media stream or real-time transcription carries (``tracks``).

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    INBOUND = "inbound"
    """The audio coming from the caller's side."""
    OUTBOUND = "outbound"
    """The audio going to the caller's side."""


class RejectionCause(StrEnum):
    """Why a media stream or real-time transcription was rejected (``cause``).

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    CONNECTION_ERROR = "connection-error"
    """Bandwidth could not connect to the destination."""
    DUPLICATE = "duplicate"
    """One with the same name is running already (see the ``original…`` field)."""
    ERROR = "error"
    """Some other error; see ``error_message``."""
    TRACK_LIMIT = "track-limit"
    """The call carries as many streams as it may."""


class StopCause(StrEnum):
    """Why a media stream or real-time transcription stopped (``cause``).

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    CLOSED = "closed"
    """It was stopped, or the call ended."""
    CONNECTION_ERROR = "connection-error"
    """The connection to the destination failed."""
    ERROR = "error"
    """Some other error; see ``error_message``."""


class TranscriptionStatus(StrEnum):
    """Whether a transcription can be downloaded, as its ``status`` says.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    AVAILABLE = "available"
    """Ready to download from its ``url``."""
    FAILED = "failed"
    """The transcription failed."""


class ReferStatus(StrEnum):
    """How a ``<Refer>`` ended, as ``referCallStatus`` says.

    Values Bandwidth adds later arrive as plain strings: see the module docs on open enums.
    """

    SUCCESS = "success"
    """The call was transferred; Bandwidth tears it down."""
    FAILURE = "failure"
    """The transfer failed; the answer's BXML runs on the call."""
