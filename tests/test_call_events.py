"""The 23 call events: every published body, nested objects, second spellings, precise values."""

# pyright: reportPrivateUsage=false
# (The fast-path tests call the private readers directly.)

import copy
import inspect
import json
import pickle
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import attrs
import pytest

from bandwidth_events import (
    Answer,
    CallCause,
    CallDirection,
    Disconnect,
    Diversion,
    EventParseError,
    Initiate,
    MachineDetectionResult,
    MachineDetectionValue,
    MediaStream,
    MediaStreamStopped,
    PreciseDuration,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStopped,
    RecordComplete,
    RecordingAvailable,
    ReferComplete,
    ReferStatus,
    Router,
    StreamTrack,
    Transcription,
    TranscriptionAvailable,
    TranscriptionStatus,
    TransferDisconnect,
    parse_event,
    to_dict,
    to_json,
)
from bandwidth_events._api import _RAW_READERS, _READERS
from bandwidth_events._events import EVENT_CLASSES
from bandwidth_events._events.base import Model, prepare
from bandwidth_events._reader import make_reader, make_struct_reader

from .conftest import PAYLOADS, golden, golden_dict

#: Every published body of a call event (the conference ones are pinned in test_api).
CALL_BODIES = sorted(
    path.stem for path in PAYLOADS.glob("*.json") if not path.stem.startswith("conference")
)
#: Published bodies not in Bandwidth's own format, each pinned by a test of its own below.
NOT_BANDWIDTH_FORMAT = {"recordingAvailable", "recordingAvailable-2"}
MOMENT = datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC)


def event_type(name: str) -> str:
    """Give the eventType of a payload file's name (``answer-3`` is an ``answer``)."""
    return name.split("-", maxsplit=1)[0]


def errors(body: dict[str, Any]) -> dict[str, str]:
    """Give the problems parse_event names for a body it refuses."""
    with pytest.raises(EventParseError) as info:
        parse_event(body)
    assert info.value.body is body
    return dict(info.value.errors)


def test_every_call_event_has_published_bodies() -> None:
    """There are 48 documentation examples and the SDK's referComplete fixture, of 23 events."""
    assert len(CALL_BODIES) == 49
    assert {event_type(name) for name in CALL_BODIES} == set(EVENT_CLASSES) - {
        "recordingComplete",  # the spec's name of recordComplete: no published body uses it
        *(cls.event_type for cls in set(EVENT_CLASSES.values()) if hasattr(cls, "conference_id")),
    }


@pytest.mark.parametrize("name", sorted(set(CALL_BODIES) - NOT_BANDWIDTH_FORMAT))
def test_published_body_round_trips_exactly(name: str) -> None:
    """Each published body parses into its class and is written back identical."""
    event = parse_event(golden(name))

    assert type(event) is EVENT_CLASSES[event_type(name)]
    assert to_dict(event) == golden_dict(name)
    assert json.loads(to_json(event)) == golden_dict(name)
    assert parse_event(to_json(event)) == event


@pytest.mark.parametrize("name", sorted(set(CALL_BODIES) - {"recordingAvailable-2"}))
def test_published_body_takes_the_fast_path(name: str) -> None:
    """The generated reader takes every published body itself, nested objects included."""
    body = golden_dict(name)
    cls = EVENT_CLASSES[event_type(name)]

    assert _READERS[cls](body) == parse_event(body)


def test_a_zoneless_timestamp_is_utc_and_written_with_its_zone() -> None:
    """RecordingAvailable's example has an eventTime with no zone: UTC, written back with Z."""
    event = parse_event(golden("recordingAvailable"), RecordingAvailable)

    assert event.event_time == datetime(2019, 9, 13, 16, 49, 40, 500000, tzinfo=UTC)
    assert to_dict(event) == golden_dict("recordingAvailable") | {
        "eventTime": "2019-09-13T16:49:40.500Z"
    }


def test_a_malformed_published_timestamp_is_refused_by_name() -> None:
    """The second example's enqueuedTime is not ISO 8601: refused, never guessed, body kept."""
    body = golden_dict("recordingAvailable-2")

    assert errors(body) == {
        "enqueuedTime": 'expected an ISO 8601 date and time, received "2019-09-13-16:48:27.198Z" '
        "(string)"
    }
    fixed = body | {"enqueuedTime": "2019-09-13T16:48:27.198Z"}
    assert parse_event(fixed, RecordingAvailable).enqueued_time == datetime(
        2019, 9, 13, 16, 48, 27, 198000, tzinfo=UTC
    )


class TestValues:
    def test_answer_with_machine_detection(self) -> None:
        """A sync machine-detection result is a nested object, its duration to the nanosecond."""
        event = parse_event(golden("answer-3"), Answer)

        assert event.machine_detection_result == MachineDetectionResult(
            value=MachineDetectionValue.ANSWERING_MACHINE,
            duration=PreciseDuration(seconds=5, microseconds=45329, nanoseconds=368),
        )
        assert event.tag == "example-tag"
        assert parse_event(golden("answer"), Answer).machine_detection_result is None

    def test_initiate_with_diversion_keeps_unlisted_keys(self) -> None:
        """A diversion's keys Bandwidth does not list are kept on the nested object."""
        event = parse_event(golden("initiate-2"), Initiate)

        assert event.direction is CallDirection.INBOUND
        assert event.diversion == Diversion(
            orig_to="+15558884444",
            reason="unavailable",
            privacy="off",
            extra_fields={"unknown": "unknownValue"},
        )
        assert event.stir_shaken is None

    def test_disconnect_cause_and_error(self) -> None:
        """A disconnect's cause is an open enum member and its error fields are kept."""
        event = parse_event(golden("disconnect"), Disconnect)

        assert isinstance(event.cause, CallCause)
        assert event.end_time > event.start_time
        assert event.error_message is not None

    def test_transcription_in_the_docs_shape(self) -> None:
        """TranscriptionAvailable's docs shape (id, url, status, completedTime) is modelled."""
        event = parse_event(golden("transcriptionAvailable"), TranscriptionAvailable)

        assert event.transcription == Transcription(
            id="t-1a68a908-544f-48ae-b30d-d1747dca3723",
            url="https://../{accountId}/calls/{callId-1}/recordings/{recordingId}/transcription",
            status=TranscriptionStatus.AVAILABLE,
            completed_time=datetime(2019, 9, 13, 16, 49, 28, 883000, tzinfo=UTC),
        )

    def test_transcription_in_the_spec_shape(self) -> None:
        """The spec's shape (text, confidence, speaker) is read too, numbers kept as sent."""
        body = golden_dict("transcriptionAvailable") | {
            "transcription": {"text": "hello", "confidence": 1, "speaker": 0}
        }

        event = parse_event(body, TranscriptionAvailable)

        assert event.transcription == Transcription(text="hello", confidence=1, speaker=0)
        assert '"confidence":1,' in to_json(event)  # the integer it came as, not 1.0
        assert to_dict(event) == body

    def test_media_stream_stopped(self) -> None:
        """A stream's tracks are open enum members and its duration keeps its nanoseconds."""
        event = parse_event(golden("mediaStreamStopped"), MediaStreamStopped)

        assert event.media_stream.tracks == (StreamTrack.INBOUND, StreamTrack.OUTBOUND)
        assert event.media_stream.duration == PreciseDuration(
            minutes=1, seconds=52, microseconds=217257, nanoseconds=456
        )
        assert to_dict(event)["mediaStream"]["duration"] == "PT1M52.217257456S"

    def test_refer_complete(self) -> None:
        """referComplete, known only from the SDK, reads its status and SIP codes."""
        event = parse_event(golden("referComplete"), ReferComplete)

        assert event.refer_call_status is ReferStatus.SUCCESS
        assert (event.refer_sip_response_code, event.notify_sip_response_code) == (202, 200)
        assert event.accepts_bxml is True

    def test_transfer_disconnect_without_account(self) -> None:
        """TransferDisconnect bodies lack accountId and applicationId, as published."""
        event = parse_event(golden("transferDisconnect"), TransferDisconnect)

        assert (event.account_id, event.application_id) == (None, None)
        assert "accountId" not in to_dict(event)


class TestSecondSpellings:
    def test_transcription_key_is_read_and_written_back(self) -> None:
        """The rejected event's ``transcription`` key fills real_time_transcription, and returns."""
        event = parse_event(golden("realTimeTranscriptionRejected"), RealTimeTranscriptionRejected)

        assert event.real_time_transcription.name == "example_real-time_transcription"
        assert event.wire_spelling == {"realTimeTranscription"}
        assert "transcription" in to_dict(event)
        assert "realTimeTranscription" not in to_dict(event)

    def test_documented_key_by_default(self) -> None:
        """An event built in Python writes the key Bandwidth's tables name."""
        event = parse_event(golden("realTimeTranscriptionStopped"), RealTimeTranscriptionStopped)
        built = attrs.evolve(event, wire_spelling=frozenset[str]())

        assert built == event
        assert hash(built) == hash(event)
        assert "realTimeTranscription" in to_dict(built)

    def test_both_keys_are_refused_by_name(self) -> None:
        """A body with both keys of one field is refused, naming the one that is extra."""
        body = golden_dict("realTimeTranscriptionStopped")
        body["realTimeTranscription"] = body["transcription"]

        assert errors(body) == {
            "transcription": "realTimeTranscription and transcription are one field: expected "
            "either, received both"
        }

    def test_neither_key_is_a_missing_field(self) -> None:
        """Without either key, the documented one is named missing."""
        body = golden_dict("realTimeTranscriptionStopped")
        del body["transcription"]

        assert errors(body) == {"realTimeTranscription": "required field is missing"}

    def test_stabilized_strings_stay_strings(self) -> None:
        """The strings "true"/"false" read as booleans and are written back as those strings."""
        event = parse_event(golden("realTimeTranscriptionRejected"), RealTimeTranscriptionRejected)

        assert event.original_transcription is not None
        assert event.original_transcription.stabilized is False
        assert to_dict(event)["originalTranscription"]["stabilized"] == "false"

    @pytest.mark.parametrize("value", [True, False])
    def test_stabilized_booleans_stay_booleans(self, value: bool) -> None:  # noqa: FBT001
        """A JSON boolean is read too, and written back as a boolean."""
        body = golden_dict("realTimeTranscriptionAvailable")
        body["realTimeTranscription"]["stabilized"] = value

        event = parse_event(body)

        assert to_dict(event) == body
        assert _READERS[type(event)](body) == event

    def test_stabilized_written_as_a_string_by_default(self) -> None:
        """A transcription built in Python writes stabilized as Bandwidth does, a string."""
        event = parse_event(golden("realTimeTranscriptionStopped"), RealTimeTranscriptionStopped)
        stable = attrs.evolve(event.real_time_transcription, stabilized=True)
        unset = attrs.evolve(stable, stabilized=None, wire_spelling=frozenset({"stabilized"}))

        assert (
            to_dict(attrs.evolve(event, real_time_transcription=stable))["transcription"][
                "stabilized"
            ]
            == "true"
        )
        assert (
            "stabilized"
            not in to_dict(attrs.evolve(event, real_time_transcription=unset))["transcription"]
        )

    def test_record_complete_under_the_spec_name(self) -> None:
        """``recordingComplete`` (the spec's name) is a RecordComplete, written back as it came."""
        body = golden_dict("recordComplete") | {"eventType": "recordingComplete"}
        router = Router()
        seen: list[RecordComplete] = []

        @router.on(RecordComplete)
        def record(event: RecordComplete) -> None:
            seen.append(event)

        event = parse_event(body)

        assert type(event) is RecordComplete
        assert parse_event(body, RecordComplete) == event == parse_event(golden("recordComplete"))
        assert to_dict(event) == body
        assert event.event_type == "recordComplete"
        router.dispatch(json.dumps(body))
        assert seen == [event]


class TestNestedErrors:
    def test_bad_nested_values_are_named_by_path(self) -> None:
        """Each bad value of a nested object is named by its path."""
        body = golden_dict("answer-3")
        body["machineDetectionResult"] = {"value": 3, "duration": "PTX"}

        assert errors(body) == {
            "machineDetectionResult.value": "expected a string, received 3 (number)",
            "machineDetectionResult.duration": 'expected an ISO 8601 duration, received "PTX" '
            "(string)",
        }

    def test_missing_nested_field(self) -> None:
        """A nested object's missing required field is named by its path."""
        body = golden_dict("machineDetectionComplete")
        del body["machineDetectionResult"]["value"]

        assert errors(body) == {"machineDetectionResult.value": "required field is missing"}

    def test_nested_value_that_is_not_an_object(self) -> None:
        """A nested object sent as something else is named, with what was received."""
        body = golden_dict("answer-3") | {"machineDetectionResult": [1]}

        assert errors(body) == {
            "machineDetectionResult": "expected a JSON object, received [1] (array)"
        }

    def test_nested_error_under_the_second_key(self) -> None:
        """A bad value under the ``transcription`` key is named under that key."""
        body = golden_dict("realTimeTranscriptionStopped")
        body["transcription"]["startTime"] = 5

        assert errors(body) == {
            "transcription.startTime": "expected an ISO 8601 timestamp string, received 5 (number)"
        }

    def test_bad_array_item(self) -> None:
        """A bad item of an array names the array and the item's index."""
        body = golden_dict("mediaStreamStarted")
        body["mediaStream"]["tracks"] = ["inbound", 7]

        assert errors(body) == {
            "mediaStream.tracks": "item 1: expected a string, received 7 (number)"
        }

    @pytest.mark.parametrize(
        ("key", "value", "problem"),
        [
            ("sipHeaders", {"x-a": 1}, "expected string values, received 1 (number) at 'x-a'"),
            ("sipHeaders", ["x"], 'expected an object of strings, received ["x"] (array)'),
            ("sipHeaders", {"x-a": "b", 1: "c"}, "expected string keys, received key 1 (number)"),
        ],
    )
    def test_bad_sip_headers(self, key: str, value: object, problem: str) -> None:
        """SipHeaders must be an object of strings: anything else is named."""
        problems = errors(golden_dict("initiate") | {key: value})

        assert list(problems) == [key]
        assert problems[key].startswith(problem)

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            ("yes", 'expected "true" or "false", received "yes" (string)'),
            (1, 'expected "true" or "false", received 1 (number)'),
        ],
    )
    def test_bad_stabilized(self, value: object, problem: str) -> None:
        """Stabilized takes the two strings or a boolean, nothing else."""
        body = golden_dict("realTimeTranscriptionAvailable")
        body["realTimeTranscription"]["stabilized"] = value

        assert errors(body) == {"realTimeTranscription.stabilized": problem}

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            ("0.9", 'expected a number, received "0.9" (string)'),
            (True, "expected a number, received true (boolean)"),
        ],
    )
    def test_bad_confidence(self, value: object, problem: str) -> None:
        """Confidence is a JSON number; a string or a boolean is named."""
        body = golden_dict("transcriptionAvailable")
        body["transcription"]["confidence"] = value

        assert errors(body) == {"transcription.confidence": problem}

    def test_nan_confidence_in_a_mapping(self) -> None:
        """A NaN or infinity (possible only in a mapping built in Python) is not a JSON number."""
        for value in (float("nan"), float("inf")):
            body = golden_dict("transcriptionAvailable")
            body["transcription"]["confidence"] = value

            assert list(errors(body)) == ["transcription.confidence"]


class TestBuiltInPython:
    def stream(self, **changes: Any) -> MediaStream:
        """Build a media stream with valid values, some changed."""
        values: dict[str, Any] = {
            "id": "s-1",
            "name": "s",
            "destination": "wss://example.test",
            "start_time": MOMENT,
            "tracks": ["inbound"],
            "type": "WebSocket",
        }
        return MediaStream(**(values | changes))

    def test_values_are_normalised_as_parsing_would(self) -> None:
        """Lists become tuples of members, timestamps UTC, mappings read-only."""
        stream = self.stream(tracks=["outbound", "both"])

        assert stream.tracks == (StreamTrack.OUTBOUND, "both")
        assert type(stream.tracks) is tuple
        headers = parse_event(golden_dict("initiate") | {"sipHeaders": {"x-a": "b"}}, Initiate)
        assert headers.sip_headers == {"x-a": "b"}
        assert headers.sip_headers is not None
        assert attrs.evolve(headers).sip_headers is headers.sip_headers  # read-only already
        with pytest.raises(TypeError):
            headers.sip_headers["x-b"] = "c"  # type: ignore[index]  # pyright: ignore[reportIndexIssue]

    def test_invalid_values_are_refused(self) -> None:
        """A negative nested duration or a naive nested timestamp is refused."""
        with pytest.raises(ValueError, match="cannot be negative"):
            MachineDetectionResult(value="human", duration=timedelta(seconds=-1))
        with pytest.raises(ValueError, match="naive datetime"):
            self.stream(start_time=datetime(2020, 1, 1))  # noqa: DTZ001
        with pytest.raises(ValueError, match=r"modelled wire fields: \['tracks'\]"):
            self.stream(extra_fields={"tracks": []})

    def test_pickle_and_deepcopy_keep_everything(self) -> None:
        """Events with nested objects and precise values pickle and copy equal."""
        for name in ("answer-3", "mediaStreamStopped", "realTimeTranscriptionRejected"):
            event = parse_event(golden(name))
            assert pickle.loads(pickle.dumps(event)) == event  # noqa: S301 -- our own bytes
            assert copy.deepcopy(event) == event
            assert to_dict(pickle.loads(pickle.dumps(event))) == golden_dict(name)  # noqa: S301

    def test_built_event_survives_the_wire(self) -> None:
        """An event built in Python reads back equal from its wire form."""
        event = Answer(
            event_time=MOMENT,
            call_id="c-1",
            call_url="https://example.test/c-1",
            from_="+15551112222",
            to="+15553334444",
            direction="outbound",
            start_time=MOMENT,
            account_id="1",
            application_id="a",
            answer_time=MOMENT,
            machine_detection_result=MachineDetectionResult(
                value="human", duration=timedelta(seconds=2)
            ),
        )

        assert parse_event(to_json(event)) == event
        assert to_dict(event)["machineDetectionResult"] == {"value": "human", "duration": "PT2S"}


class TestGeneratedReaders:
    def test_source_is_shown_in_tracebacks_and_getsource(self) -> None:
        """A reader's source is registered in linecache under a name of its own."""
        source = inspect.getsource(_READERS[Answer])

        assert source.startswith("def read(o):")
        assert "_machine_detection_result_read(v)" in source
        assert inspect.getsourcefile(_READERS[Answer]) == (
            "<bandwidth_events reader bandwidth_events._events.calls.Answer>"
        )

    @pytest.mark.parametrize("reader", ["dict", "msgspec"])
    def test_a_bug_in_a_reader_is_not_hidden(
        self, monkeypatch: pytest.MonkeyPatch, reader: str
    ) -> None:
        """The fast paths fall back only on a refusal: any other exception is let out."""

        def broken(_body: object) -> object:
            raise RuntimeError("a bug")

        # The msgspec reader of raw bodies comes first, if msgspec is installed.
        monkeypatch.setitem(_RAW_READERS, Answer, broken if reader == "msgspec" else None)
        if reader == "dict":
            monkeypatch.setitem(_READERS, Answer, broken)

        with pytest.raises(RuntimeError, match="a bug"):
            parse_event(golden("answer"), Answer)

    def test_unsupported_shapes_fail_at_generation(self) -> None:
        """A class the generator cannot read fails loudly when its reader is made."""

        @attrs.frozen(kw_only=True)
        class Aliased:
            optional: str | None = attrs.field(
                default=None, metadata={"bandwidth_events.alias": "other"}
            )
            extra_fields: dict[str, object] = attrs.field(factory=dict[str, object])

        @attrs.frozen(kw_only=True)
        class Unspelled:
            value: str = attrs.field(metadata={"bandwidth_events.alias": "other"})
            extra_fields: dict[str, object] = attrs.field(factory=dict[str, object])

        with pytest.raises(TypeError, match="optional and has a second wire key"):
            make_reader(Aliased)
        with pytest.raises(TypeError, match="no wire_spelling field"):
            make_reader(Unspelled)

    def test_names_that_clash_fail_at_generation(self) -> None:
        """A nested object read inline whose names would take its parent's fails loudly.

        Its names go under its field's prefix: ``a``'s field ``b`` and the parent's ``a_b``
        would both be ``_a_b_…``, holding two enums' members.
        """

        class Tone(StrEnum):
            BEEP = "beep"

        class Pitch(StrEnum):
            HIGH = "high"

        @attrs.frozen(kw_only=True, field_transformer=prepare)
        class Inner(Model):
            b: Tone | str

        @attrs.frozen(kw_only=True, field_transformer=prepare)
        class Outer(Model):
            a: Inner
            a_b: Pitch | str

        assert make_reader(Outer)({"a": {"b": "beep"}, "aB": "high"}) == Outer(
            a=Inner(b=Tone.BEEP), a_b=Pitch.HIGH
        )  # its dict reader calls Inner's: no clash
        with pytest.raises(TypeError, match="_a_b_members names two things"):
            make_struct_reader(Outer)
