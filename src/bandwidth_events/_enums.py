"""Open enums: the documented values as enum members, any other value kept as a string.

Bandwidth's spec says apps must tolerate values it adds later. A field typed
``RecordingStatus | str`` holds a `RecordingStatus` member for every value this version knows
and the plain string for any other, so nothing is lost and the type checker makes handler code
tell the two apart (``isinstance(status, RecordingStatus)``).
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


# A dict lookup, not RecordingStatus(value): the enum's call costs a ValueError per unknown value.
_STATUSES: dict[str, RecordingStatus] = {member.value: member for member in RecordingStatus}
_FORMATS: dict[str, FileFormat] = {member.value: member for member in FileFormat}


def recording_status(value: RecordingStatus | str) -> RecordingStatus | str:
    """Turn a known status string into its member; keep any other string as it is."""
    return _STATUSES.get(value, value)


def file_format(value: FileFormat | str) -> FileFormat | str:
    """Turn a known format string into its member; keep any other string as it is."""
    return _FORMATS.get(value, value)
