"""Hypothesis builders: events of every class, Bandwidth-format wire payloads, any JSON at all."""

# pyright: reportPrivateUsage=false
# (The JSON builder is the strategies module's own, not public.)

from datetime import UTC, timedelta
from typing import Any

from hypothesis import strategies as st

from bandwidth_events import (
    Answer,
    BridgeComplete,
    BridgeTargetComplete,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    Disconnect,
    Diversion,
    Dtmf,
    Gather,
    Initiate,
    MachineDetectionComplete,
    MachineDetectionResult,
    MediaStream,
    MediaStreamRejected,
    MediaStreamStarted,
    MediaStreamStopped,
    RealTimeTranscription,
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
    RecordComplete,
    RecordingAvailable,
    Redirect,
    ReferComplete,
    StirShaken,
    Transcription,
    TranscriptionAvailable,
    TransferAnswer,
    TransferComplete,
    TransferDisconnect,
    VoiceEvent,
    _strategies,
    testing,
)
from bandwidth_events._timestamps import format_timestamp

# The wire fields of each event and nested object (eventType and second spellings aside), as
# Bandwidth's docs, spec and SDK document them (../shared/reference): an oracle written
# independently of the library's rename rule.
WIRE_KEYS: dict[type[Any], frozenset[str]] = {
    Initiate: frozenset(
        {
            "accountId",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "diversion",
            "eventTime",
            "from",
            "sipCallId",
            "sipHeaders",
            "startTime",
            "stirShaken",
            "to",
            "uui",
        }
    ),
    Answer: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "machineDetectionResult",
            "sipCallId",
            "startTime",
            "tag",
            "to",
        }
    ),
    Disconnect: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "endTime",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "eventTime",
            "from",
            "sipCallId",
            "sipResponseCode",
            "startTime",
            "tag",
            "to",
        }
    ),
    Redirect: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "parentCallId",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    MachineDetectionComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "machineDetectionResult",
            "startTime",
            "tag",
            "to",
        }
    ),
    Gather: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "digits",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "parentCallId",
            "startTime",
            "tag",
            "terminatingDigit",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    Dtmf: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "digit",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "parentCallId",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    TransferAnswer: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "parentCallId",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    TransferComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "eventTime",
            "from",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    TransferDisconnect: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "endTime",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "eventTime",
            "from",
            "parentCallId",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    BridgeComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "eventTime",
            "from",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    BridgeTargetComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "startTime",
            "tag",
            "to",
        }
    ),
    RecordComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "channels",
            "direction",
            "duration",
            "endTime",
            "enqueuedTime",
            "eventTime",
            "fileFormat",
            "from",
            "mediaUrl",
            "parentCallId",
            "recordingId",
            "startTime",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    ReferComplete: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "eventTime",
            "from",
            "notifySipResponseCode",
            "referCallStatus",
            "referSipResponseCode",
            "startTime",
            "tag",
            "to",
        }
    ),
    RecordingAvailable: frozenset(
        {
            "accountId",
            "applicationId",
            "callId",
            "callUrl",
            "channels",
            "direction",
            "duration",
            "endTime",
            "enqueuedTime",
            "eventTime",
            "fileFormat",
            "from",
            "mediaUrl",
            "parentCallId",
            "recordingId",
            "startTime",
            "status",
            "tag",
            "to",
            "transferCallerId",
            "transferTo",
        }
    ),
    TranscriptionAvailable: frozenset(
        {
            "accountId",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "duration",
            "endTime",
            "enqueuedTime",
            "eventTime",
            "fileFormat",
            "from",
            "mediaUrl",
            "parentCallId",
            "recordingId",
            "startTime",
            "tag",
            "to",
            "transcription",
            "transferCallerId",
            "transferTo",
        }
    ),
    MediaStreamStarted: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "mediaStream",
            "startTime",
            "tag",
            "to",
        }
    ),
    MediaStreamRejected: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorMessage",
            "eventTime",
            "from",
            "mediaStream",
            "originalMediaStream",
            "startTime",
            "tag",
            "to",
        }
    ),
    MediaStreamStopped: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorMessage",
            "eventTime",
            "from",
            "mediaStream",
            "startTime",
            "tag",
            "to",
        }
    ),
    RealTimeTranscriptionStarted: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "realTimeTranscription",
            "startTime",
            "tag",
            "to",
        }
    ),
    RealTimeTranscriptionAvailable: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "direction",
            "enqueuedTime",
            "eventTime",
            "from",
            "realTimeTranscription",
            "startTime",
            "tag",
            "to",
        }
    ),
    RealTimeTranscriptionRejected: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorMessage",
            "eventTime",
            "from",
            "originalTranscription",
            "realTimeTranscription",
            "startTime",
            "tag",
            "to",
        }
    ),
    RealTimeTranscriptionStopped: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "callId",
            "callUrl",
            "cause",
            "direction",
            "enqueuedTime",
            "errorMessage",
            "eventTime",
            "from",
            "realTimeTranscription",
            "startTime",
            "tag",
            "to",
        }
    ),
    ConferenceCreated: frozenset({"conferenceId", "eventTime", "name", "tag"}),
    ConferenceRedirect: frozenset({"conferenceId", "eventTime", "name", "tag"}),
    ConferenceMemberJoin: frozenset(
        {"callId", "conferenceId", "eventTime", "from", "name", "tag", "to"}
    ),
    ConferenceMemberExit: frozenset(
        {"callId", "conferenceId", "eventTime", "from", "name", "tag", "to"}
    ),
    ConferenceCompleted: frozenset({"conferenceId", "eventTime", "name", "tag"}),
    ConferenceRecordingAvailable: frozenset(
        {
            "accountId",
            "channels",
            "conferenceId",
            "duration",
            "endTime",
            "eventTime",
            "fileFormat",
            "mediaUrl",
            "name",
            "recordingId",
            "startTime",
            "status",
            "tag",
        }
    ),
    MachineDetectionResult: frozenset({"duration", "value"}),
    Diversion: frozenset({"counter", "limit", "origTo", "privacy", "reason", "screen"}),
    StirShaken: frozenset({"attestationIndicator", "originatingId", "verstat"}),
    Transcription: frozenset(
        {"completedTime", "confidence", "id", "speaker", "status", "text", "url"}
    ),
    MediaStream: frozenset(
        {"destination", "duration", "id", "name", "startTime", "tracks", "type"}
    ),
    RealTimeTranscription: frozenset(
        {
            "completedTime",
            "destination",
            "duration",
            "id",
            "name",
            "stabilized",
            "startTime",
            "status",
            "tracks",
            "url",
        }
    ),
}

#: The wire fields each may leave out (absent or null).
OPTIONAL_KEYS: dict[type[Any], frozenset[str]] = {
    Initiate: frozenset({"diversion", "sipCallId", "sipHeaders", "stirShaken", "uui"}),
    Answer: frozenset({"enqueuedTime", "machineDetectionResult", "sipCallId", "tag"}),
    Disconnect: frozenset(
        {
            "answerTime",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "sipCallId",
            "sipResponseCode",
            "tag",
        }
    ),
    Redirect: frozenset(
        {"answerTime", "enqueuedTime", "parentCallId", "tag", "transferCallerId", "transferTo"}
    ),
    MachineDetectionComplete: frozenset({"enqueuedTime", "tag"}),
    Gather: frozenset(
        {
            "digits",
            "enqueuedTime",
            "parentCallId",
            "tag",
            "terminatingDigit",
            "transferCallerId",
            "transferTo",
        }
    ),
    Dtmf: frozenset({"enqueuedTime", "parentCallId", "tag", "transferCallerId", "transferTo"}),
    TransferAnswer: frozenset({"enqueuedTime", "tag"}),
    TransferComplete: frozenset({"enqueuedTime", "errorId", "errorMessage", "tag"}),
    TransferDisconnect: frozenset(
        {
            "accountId",
            "answerTime",
            "applicationId",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "tag",
        }
    ),
    BridgeComplete: frozenset(
        {
            "cause",
            "enqueuedTime",
            "errorId",
            "errorMessage",
            "tag",
            "transferCallerId",
            "transferTo",
        }
    ),
    BridgeTargetComplete: frozenset({"enqueuedTime", "tag"}),
    RecordComplete: frozenset(
        {"enqueuedTime", "mediaUrl", "parentCallId", "tag", "transferCallerId", "transferTo"}
    ),
    ReferComplete: frozenset(
        {"answerTime", "notifySipResponseCode", "referSipResponseCode", "tag"}
    ),
    RecordingAvailable: frozenset(
        {"enqueuedTime", "mediaUrl", "parentCallId", "tag", "transferCallerId", "transferTo"}
    ),
    TranscriptionAvailable: frozenset(
        {"enqueuedTime", "mediaUrl", "parentCallId", "tag", "transferCallerId", "transferTo"}
    ),
    MediaStreamStarted: frozenset({"enqueuedTime", "tag"}),
    MediaStreamRejected: frozenset({"enqueuedTime", "originalMediaStream", "tag"}),
    MediaStreamStopped: frozenset({"enqueuedTime", "errorMessage", "tag"}),
    RealTimeTranscriptionStarted: frozenset({"enqueuedTime", "tag"}),
    RealTimeTranscriptionAvailable: frozenset({"enqueuedTime", "tag"}),
    RealTimeTranscriptionRejected: frozenset({"enqueuedTime", "originalTranscription", "tag"}),
    RealTimeTranscriptionStopped: frozenset({"enqueuedTime", "errorMessage", "tag"}),
    ConferenceCreated: frozenset({"tag"}),
    ConferenceRedirect: frozenset({"tag"}),
    ConferenceMemberJoin: frozenset({"tag"}),
    ConferenceMemberExit: frozenset({"tag"}),
    ConferenceCompleted: frozenset({"tag"}),
    ConferenceRecordingAvailable: frozenset({"mediaUrl", "tag"}),
    MachineDetectionResult: frozenset(),
    Diversion: frozenset({"counter", "limit", "privacy", "reason", "screen"}),
    StirShaken: frozenset({"attestationIndicator", "originatingId", "verstat"}),
    Transcription: frozenset(
        {"completedTime", "confidence", "id", "speaker", "status", "text", "url"}
    ),
    MediaStream: frozenset({"duration"}),
    RealTimeTranscription: frozenset(
        {"completedTime", "destination", "duration", "stabilized", "status", "url"}
    ),
}

EVENT_CLASSES: list[type[VoiceEvent]] = [cls for cls in WIRE_KEYS if hasattr(cls, "event_type")]
NESTED_CLASSES: list[type[Any]] = [cls for cls in WIRE_KEYS if not hasattr(cls, "event_type")]
EVENT_TYPES = sorted(cls.event_type for cls in EVENT_CLASSES)
ALL_KEYS = frozenset[str]().union(*WIRE_KEYS.values())


def required_keys(cls: type[Any]) -> list[str]:
    """Give the wire fields a body of this class must have, eventType aside."""
    return sorted(WIRE_KEYS[cls] - OPTIONAL_KEYS[cls])


# Any JSON value as orjson reads it (integers beyond 64 bits are a documented limit, see
# docs/wire.md): the testing module's own builder.
json_values = _strategies._json_values
json_objects = st.dictionaries(st.text(), json_values, max_size=6)

aware_datetimes = st.datetimes(timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0))


# The library's own builders, public in bandwidth_events.testing (pinned by tests/test_testing.py).
voice_events = testing.events()
voice_payloads = testing.payloads()
bandwidth_payloads = testing.payloads
bandwidth_timestamps = testing.wire_timestamps
bandwidth_durations = testing.wire_durations


# Strings shaped like ISO 8601, which reach deeper into the parsers than arbitrary text does.
iso_shaped = (
    st.text()
    | st.from_regex(r"\A-?P[0-9YMWDTHS.,:+-]{0,20}\Z")
    | st.from_regex(r"\A[0-9]{4}-?[0-9]{2}-?[0-9]{2}T[0-9:.,+Z-]{0,18}\Z")
)


# Timestamps as Bandwidth writes nearly all of them: 24 characters, to the millisecond, in UTC.
_in_bandwidths_shape = st.datetimes(timezones=st.just(UTC)).map(
    lambda moment: format_timestamp(moment.replace(microsecond=moment.microsecond // 1000 * 1000))
)


@st.composite
def timestamps_recut(draw: st.DrawFn, count: int) -> list[str]:
    """Draw values for a model's timestamp fields that the readers check all at once.

    In Bandwidth's shape, or one of them in another shape a reader also takes, or the values
    in the shape recut: joined with commas, then split at ``count - 1`` of the text's
    characters, each left out, and these mostly not the commas. Joined with commas again, a
    recut text is the first text only if it was split at the commas (see
    ``_timestamps.SHAPES``).
    """
    stamps = draw(st.lists(_in_bandwidths_shape, min_size=count, max_size=count))
    how = draw(st.sampled_from(["in the shape", "one in another shape", "recut"]))
    if how == "one in another shape":
        where = draw(st.integers(0, count - 1))
        stamp = stamps[where]
        # Of the same length too: one character changed (a digit for the Z is no zone).
        place = draw(st.integers(0, len(stamp) - 1))
        changed = stamp[:place] + draw(st.sampled_from("0123456789-:.,TZW +")) + stamp[place + 1 :]
        stamps[where] = draw(
            st.sampled_from([changed, stamp[:-1] + "1", stamp[:-1], stamp[:-1] + "123Z"])
            | bandwidth_timestamps()
            | iso_shaped
        )
    elif how == "recut":
        text = ",".join(stamps)
        cuts = sorted(
            draw(st.sets(st.integers(0, len(text) - 1), min_size=count - 1, max_size=count - 1))
        )
        starts, ends = [0, *(cut + 1 for cut in cuts)], [*cuts, len(text)]
        stamps = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    return stamps
