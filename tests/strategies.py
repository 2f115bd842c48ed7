"""Hypothesis builders: events of every class, Bandwidth-format wire payloads, any JSON at all."""

# pyright: reportPrivateUsage=false
# (The JSON builder is the testing module's own, not public.)

from datetime import UTC, timedelta
from functools import partial

from hypothesis import strategies as st

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    testing,
)

# The wire fields of each event, as Bandwidth documents them: an oracle written independently
# of the library's rename rule.
COMMON_KEYS = frozenset({"eventType", "eventTime", "conferenceId", "name", "tag"})
MEMBER_KEYS = COMMON_KEYS | {"callId", "from", "to"}
RECORDING_KEYS = COMMON_KEYS | {
    "accountId", "recordingId", "channels", "startTime", "endTime", "duration", "fileFormat",
    "mediaUrl", "status",
}  # fmt: skip
WIRE_KEYS: dict[type[ConferenceEvent], frozenset[str]] = {
    ConferenceCreated: COMMON_KEYS,
    ConferenceRedirect: COMMON_KEYS,
    ConferenceMemberJoin: MEMBER_KEYS,
    ConferenceMemberExit: MEMBER_KEYS,
    ConferenceCompleted: COMMON_KEYS,
    ConferenceRecordingAvailable: RECORDING_KEYS,
}
EVENT_TYPES = sorted(cls.event_type for cls in WIRE_KEYS)
OPTIONAL_KEYS = frozenset({"tag", "mediaUrl"})
ALL_KEYS = frozenset[str]().union(*WIRE_KEYS.values())


def required_keys(cls: type[ConferenceEvent]) -> list[str]:
    """Give the wire fields a body of this class must have, eventType aside."""
    return sorted(WIRE_KEYS[cls] - OPTIONAL_KEYS - {"eventType"})


# Any JSON value as orjson reads it (integers beyond 64 bits are a documented limit, see
# docs/wire.md): the testing module's own builder.
json_values = testing._json_values
json_objects = st.dictionaries(st.text(), json_values, max_size=6)

aware_datetimes = st.datetimes(timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0))


# The library's own builders, public in bandwidth_events.testing (pinned by tests/test_testing.py).
conference_events = testing.conference_events()
conference_payloads = testing.conference_payloads()
bandwidth_payloads = testing.payloads
bandwidth_timestamps = testing.wire_timestamps
bandwidth_durations = partial(testing.wire_durations, fraction_digits=6)


# Strings shaped like ISO 8601, which reach deeper into the parsers than arbitrary text does.
iso_shaped = (
    st.text()
    | st.from_regex(r"\A-?P[0-9YMWDTHS.,:+-]{0,20}\Z")
    | st.from_regex(r"\A[0-9]{4}-?[0-9]{2}-?[0-9]{2}T[0-9:.,+Z-]{0,18}\Z")
)
