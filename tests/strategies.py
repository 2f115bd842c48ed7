"""Hypothesis builders: events, Bandwidth-format wire payloads, and any JSON at all."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from bandwidth_events import ConferenceRecordingAvailable, FileFormat, RecordingStatus

RECORDING_KEYS = frozenset(
    {
        "eventType", "eventTime", "conferenceId", "name", "accountId", "recordingId",
        "channels", "startTime", "endTime", "duration", "fileFormat", "mediaUrl", "status", "tag",
    }
)  # fmt: skip

# orjson's range: integers beyond 64 bits are a documented limitation (see docs/wire.md).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(), json_values, max_size=6)
extra_fields = st.dictionaries(
    st.text().filter(lambda key: key not in RECORDING_KEYS), json_values, max_size=3
)

aware_datetimes = st.datetimes(timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0))


def open_enum(members: type[RecordingStatus] | type[FileFormat]) -> st.SearchStrategy[Any]:
    """Known members, their plain string values, or strings this version does not know."""
    return st.sampled_from(list(members)) | st.sampled_from([m.value for m in members]) | st.text()


recording_events = st.builds(
    ConferenceRecordingAvailable,
    event_time=aware_datetimes,
    conference_id=st.text(),
    name=st.text(),
    account_id=st.text(),
    recording_id=st.text(),
    channels=st.integers(min_value=-(2**63), max_value=2**64 - 1),  # orjson: 64 bits
    start_time=aware_datetimes,
    end_time=aware_datetimes,
    duration=durations,
    file_format=open_enum(FileFormat),
    status=open_enum(RecordingStatus),
    media_url=st.none() | st.text(),
    tag=st.none() | st.text(),
    extra_fields=extra_fields,
)


# Bandwidth's wire shapes, written here independently of the library's writer.
@st.composite
def bandwidth_timestamps(draw: st.DrawFn) -> str:
    """``2019-09-13T16:50:53.788Z``: UTC, exactly three fractional digits, ``Z``."""
    # Naive bounds, as st.datetimes requires; the value is written as UTC below.
    start, end = datetime(1970, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001
    moment = draw(st.datetimes(min_value=start, max_value=end))
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


@st.composite
def bandwidth_durations(draw: st.DrawFn) -> str:
    """Java's ``Duration.toString()``: ``PT1M52.217S``, no zero units, ``PT0S`` for zero."""
    hours = draw(st.integers(0, 10_000))
    minutes = draw(st.integers(0, 59))
    seconds = draw(st.integers(0, 59))
    fraction = draw(st.from_regex(r"\A([0-9]{0,5}[1-9])?\Z")) or ""
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or fraction:
        text += f"{seconds}" + (f".{fraction}" if fraction else "") + "S"
    return "PT0S" if text == "PT" else text


@st.composite
def recording_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A conferenceRecordingAvailable body in Bandwidth's own format, with unknown fields."""
    payload: dict[str, Any] = {
        "eventType": "conferenceRecordingAvailable",
        "eventTime": draw(bandwidth_timestamps()),
        "accountId": draw(st.from_regex(r"\A[0-9]{1,10}\Z")),
        "conferenceId": draw(st.text()),
        "name": draw(st.text()),
        "recordingId": draw(st.text()),
        "channels": draw(st.integers(1, 2)),
        "startTime": draw(bandwidth_timestamps()),
        "endTime": draw(bandwidth_timestamps()),
        "duration": draw(bandwidth_durations()),
        "fileFormat": draw(st.sampled_from(["wav", "mp3"]) | st.text()),
        "status": draw(st.sampled_from([s.value for s in RecordingStatus]) | st.text()),
    }
    if draw(st.booleans()):
        payload["mediaUrl"] = draw(st.text())
    if draw(st.booleans()):
        payload["tag"] = draw(st.text())
    payload.update(draw(extra_fields))
    return payload


# Strings shaped like ISO 8601, which reach deeper into the parsers than arbitrary text does.
iso_shaped = (
    st.text()
    | st.from_regex(r"\A-?P[0-9YMWDTHS.,:+-]{0,20}\Z")
    | st.from_regex(r"\A[0-9]{4}-?[0-9]{2}-?[0-9]{2}T[0-9:.,+Z-]{0,18}\Z")
)
