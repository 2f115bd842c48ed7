"""parse_event, to_dict and to_json: the wire in, the wire out, and every way a body can be bad."""

import copy
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    EventParseError,
    FileFormat,
    RecordingStatus,
    UnknownEvent,
    VoiceEvent,
    parse_event,
    to_dict,
    to_json,
)

from .conftest import golden, golden_dict
from .strategies import (
    WIRE_KEYS,
    bandwidth_payloads,
    json_objects,
    json_values,
    required_keys,
    voice_events,
    voice_payloads,
)

RECORDING = "conferenceRecordingAvailable"
#: The second wire key of a field that has two.
SECOND_SPELLINGS = {"realTimeTranscription": "transcription"}
EVENT_CLASSES = [cls for cls in WIRE_KEYS if hasattr(cls, "event_type")]
# Every (class, required wire field) pair.
REQUIRED_FIELDS = [(cls, key) for cls in EVENT_CLASSES for key in required_keys(cls)]

CONFERENCE_ID = "conf-59082d52-4a2ab5be-ce26-43ed-af94-431b8a19d4e3"
JULY_31 = datetime(2019, 7, 31, 13, 16, 1, 324000, tzinfo=UTC)
COMMON: dict[str, Any] = {
    "event_time": JULY_31,
    "conference_id": CONFERENCE_ID,
    "name": "thisConference",
    "tag": "conferenceTag",
}
MEMBER: dict[str, Any] = {
    **COMMON,
    "call_id": "c-95ac8d6e-1a31c52e-b38f-4198-93c1-51633ec68f8d",
    "from_": "+15559998765",
    "to": "+15551112345",
}
# Bandwidth's redirect example is from another day and has no tag.
REDIRECT: dict[str, Any] = COMMON | {
    "event_time": datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC),
    "tag": None,
}
# The documented bodies of the five events besides the recording, as the values they state.
DOCUMENTED: dict[str, ConferenceEvent] = {
    "conferenceCreated": ConferenceCreated(**COMMON),
    "conferenceRedirect": ConferenceRedirect(**REDIRECT),
    "conferenceMemberJoin": ConferenceMemberJoin(**MEMBER),
    "conferenceMemberExit": ConferenceMemberExit(**MEMBER),
    "conferenceCompleted": ConferenceCompleted(**COMMON),
}
ALL_DOCUMENTED = [*DOCUMENTED, RECORDING]


def recording(**changes: Any) -> dict[str, Any]:
    """Give the documented recording body with some fields changed (None: removed)."""
    body = golden_dict(RECORDING)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def parse_error(body: Any) -> EventParseError:
    """Parse a body that must fail, and give the error."""
    with pytest.raises(EventParseError) as info:
        parse_event(body)
    return info.value


def parse_recording(body: Any) -> ConferenceRecordingAvailable:
    """Parse a body that must be a recording event, as a handler that knows its URL does."""
    return parse_event(body, ConferenceRecordingAvailable)


def corrupted(payload: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Give a Bandwidth-format body with some fields dropped or replaced by any JSON value."""
    keys = sorted(payload)
    return st.tuples(
        st.lists(st.sampled_from(keys), max_size=3),
        st.dictionaries(st.sampled_from(keys), json_values),
    ).map(lambda drop_and_set: _apply(payload, *drop_and_set))


def _apply(payload: dict[str, Any], drop: list[str], replace: dict[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in payload.items() if key not in drop}
    result.update(replace)
    return result


class TestGoldenPayload:
    def test_documented_example_fields(self) -> None:
        """The documented body parses into exactly the values it states, precisely typed."""
        event = parse_event(golden(RECORDING))

        assert isinstance(event, ConferenceRecordingAvailable)
        assert event == ConferenceRecordingAvailable(
            event_time=datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC),
            account_id="55555555",
            conference_id="conf-95ac90b3-ac6cd003-85e4-466f-b2e2-3fc5462c5d0d",
            name="thisConference",
            recording_id="r-115da407-e3d9-4ea7-889f-5f4ad7386a80",
            channels=1,
            start_time=datetime(2019, 9, 13, 16, 48, 29, 235000, tzinfo=UTC),
            end_time=datetime(2019, 9, 13, 16, 48, 48, 890000, tzinfo=UTC),
            duration=timedelta(seconds=20, milliseconds=56),
            file_format=FileFormat.WAV,
            media_url="https://../{accountId}/conferences/{conferenceId}/recordings/{recordingId}/media",
            status=RecordingStatus.COMPLETE,
        )
        assert event.event_type == RECORDING
        assert event.tag is None

    def test_documented_example_round_trips_exactly(self) -> None:
        """to_dict gives back the documented body key for key, and to_json the same JSON value."""
        event = parse_event(golden(RECORDING))

        assert to_dict(event) == golden_dict(RECORDING)
        assert json.loads(to_json(event)) == golden_dict(RECORDING)

    def test_inconsistent_duration_and_placeholder_url_are_accepted(self) -> None:
        """Bandwidth's own example has duration != endTime - startTime and a non-URL mediaUrl."""
        event = parse_event(golden(RECORDING), ConferenceRecordingAvailable)

        assert event.end_time - event.start_time != event.duration
        assert event.media_url is not None
        assert event.media_url.startswith("https://../")

    @pytest.mark.parametrize("name", sorted(DOCUMENTED))
    def test_documented_conference_events(self, name: str) -> None:
        """Each other documented body parses into its own class with exactly the stated values."""
        event = parse_event(golden(name))

        assert type(event) is type(DOCUMENTED[name])
        assert event == DOCUMENTED[name]
        assert event.event_type == name

    @pytest.mark.parametrize("name", ALL_DOCUMENTED)
    def test_every_documented_body_round_trips_exactly(self, name: str) -> None:
        """to_dict and to_json give every documented body back, key for key."""
        event = parse_event(golden(name))

        assert to_dict(event) == golden_dict(name)
        assert json.loads(to_json(event)) == golden_dict(name)

    @pytest.mark.parametrize("name", ALL_DOCUMENTED)
    def test_match_picks_the_class(self, name: str) -> None:
        """Structural pattern matching selects each event by class and reads its fields."""
        match parse_event(golden(name)):
            case ConferenceMemberJoin(from_=caller) | ConferenceMemberExit(from_=caller):
                matched = f"member {caller}"
            case ConferenceRecordingAvailable(recording_id=recording_id):
                matched = f"recording {recording_id}"
            case ConferenceCreated() | ConferenceRedirect() | ConferenceCompleted() as event:
                matched = f"conference {event.name}"
            case UnknownEvent():
                matched = "unknown"
            case _:
                matched = f"call event {name}"

        assert matched == {
            "conferenceMemberJoin": "member +15559998765",
            "conferenceMemberExit": "member +15559998765",
            RECORDING: "recording r-115da407-e3d9-4ea7-889f-5f4ad7386a80",
        }.get(name, "conference thisConference")

    def test_from_is_the_from_attribute(self) -> None:
        """The wire's ``from`` (a Python keyword) is the attribute ``from_``, and back."""
        event = parse_event(golden("conferenceMemberJoin"), ConferenceMemberJoin)

        assert event.from_ == "+15559998765"
        assert to_dict(event)["from"] == "+15559998765"
        assert "from_" not in to_dict(event)

    @pytest.mark.parametrize("caller", ["Anonymous", "Restricted", "", "+1 (555) 999"])
    def test_from_is_any_caller_id_string(self, caller: str) -> None:
        """A caller id that is not a number is kept as received, never checked as E.164."""
        body = golden_dict("conferenceMemberExit") | {"from": caller}

        assert parse_event(body, ConferenceMemberExit).from_ == caller
        assert to_dict(parse_event(body)) == body

    def test_an_event_type_not_modelled_is_an_unknown_event(self) -> None:
        """A webhook this version does not model comes back as UnknownEvent, unchanged."""
        body = {"eventType": "callInitiated", "callId": "c-1", "from": "+15551112345"}

        event = parse_event(body)

        assert isinstance(event, UnknownEvent)
        assert event.event_type == "callInitiated"
        assert to_dict(event) == body


class Raw(bytes):
    """A bytes subclass, as a framework might hand over a body."""

    __slots__ = ()


class Text(str):
    """A str subclass."""

    __slots__ = ()

    @classmethod
    def decoded(cls, body: bytes) -> "Text":
        """Decode a body into one."""
        return cls(body.decode())


def read_only(body: bytes) -> Mapping[str, object]:
    """Decode a body into a read-only mapping (not a dict)."""
    return MappingProxyType(orjson.loads(body))


class TestInputs:
    @pytest.mark.parametrize(
        "convert",
        [
            bytes,
            bytearray,
            memoryview,
            bytes.decode,
            orjson.loads,
            Raw,
            Text.decoded,
            read_only,
        ],
        ids=[
            "bytes",
            "bytearray",
            "memoryview",
            "str",
            "mapping",
            "bytes-subclass",
            "str-subclass",
            "read-only-mapping",
        ],
    )
    @pytest.mark.parametrize(
        "body",
        [golden(RECORDING), b'{"eventType":"callInitiated","callId":"c-1"}'],
        ids=["modelled", "unknown"],
    )
    def test_every_input_form(self, convert: Any, body: bytes) -> None:
        """Bytes, text and an already-decoded mapping (subclasses too) all parse alike."""
        assert parse_event(convert(body)) == parse_event(body)

    def test_caller_mapping_is_not_changed_or_shared(self) -> None:
        """Parsing leaves the caller's mapping as it was, and the event shares nothing with it."""
        body = recording(custom={"nested": [1, 2]})
        before = copy.deepcopy(body)

        event = parse_recording(body)
        body["custom"]["nested"].append(3)

        assert event.extra_fields == {"custom": {"nested": [1, 2]}}
        body["custom"]["nested"].pop()
        assert body == before

    @pytest.mark.parametrize("read", [orjson.loads, bytes], ids=["mapping", "raw"])
    def test_unknown_field_holding_a_number_with_a_fraction_is_kept(self, read: Any) -> None:
        """A float in an unknown field, with no container beside it, is kept as it came."""
        body = orjson.dumps(recording(ratio=0.25, region="eu"))

        event = parse_recording(read(body))

        assert event.extra_fields == {"ratio": 0.25, "region": "eu"}
        assert type(event.extra_fields["ratio"]) is float

    def test_to_dict_result_is_not_shared_with_event(self) -> None:
        """Changing the dict to_dict gave leaves the frozen event alone."""
        event = parse_recording(recording(custom={"nested": [1]}))

        to_dict(event)["custom"]["nested"].append(2)

        assert event.extra_fields == {"custom": {"nested": [1]}}

    @pytest.mark.parametrize("cls", EVENT_CLASSES)
    def test_with_cls_returns_that_class(self, cls: type[VoiceEvent]) -> None:
        """Naming the class gives exactly that class back."""
        assert type(parse_event(golden(cls.event_type), cls)) is cls

    @pytest.mark.parametrize(
        ("name", "cls"),
        [
            ("conferenceCreated", ConferenceCompleted),
            ("conferenceCompleted", ConferenceRedirect),
            ("conferenceMemberJoin", ConferenceMemberExit),
        ],
    )
    def test_with_cls_rejects_an_event_of_the_same_shape(
        self, name: str, cls: type[ConferenceEvent]
    ) -> None:
        """Classes with the same fields are still told apart by eventType."""
        with pytest.raises(EventParseError) as info:
            parse_event(golden(name), cls)

        assert list(info.value.errors) == ["eventType"]

    def test_with_cls_rejects_another_event(self) -> None:
        """A body of another eventType is an error naming eventType, not an UnknownEvent."""
        with pytest.raises(EventParseError) as info:
            parse_event(golden("conferenceCompleted"), ConferenceRecordingAvailable)

        assert info.value.errors == {
            "eventType": "expected 'conferenceRecordingAvailable', received "
            '"conferenceCompleted" (string)'
        }
        assert info.value.event_type == "conferenceCompleted"

    def test_cls_must_be_an_event_class(self) -> None:
        """Passing a class the library does not model is a programming error (TypeError)."""
        with pytest.raises(TypeError, match="is not an event class"):
            parse_event(golden(RECORDING), UnknownEvent)  # type: ignore[type-var]  # pyright: ignore[reportCallIssue, reportArgumentType]


class TestUnknownFieldsAndValues:
    def test_unknown_fields_are_kept_and_written_back(self) -> None:
        """Fields Bandwidth adds later survive parse and write, values untouched."""
        body = recording(transcription={"id": "t-1", "words": 12}, priority=3)

        event = parse_recording(body)

        assert event.extra_fields == {"transcription": {"id": "t-1", "words": 12}, "priority": 3}
        assert to_dict(event) == body

    def test_unknown_enum_values_are_kept_as_strings(self) -> None:
        """A status or fileFormat this version does not know stays the plain string, both ways."""
        event = parse_recording(recording(status="completed", fileFormat="ogg"))

        assert not isinstance(event.status, RecordingStatus)
        assert event.status == "completed"
        assert event.file_format == "ogg"
        assert to_dict(event)["status"] == "completed"
        assert to_dict(event)["fileFormat"] == "ogg"

    @pytest.mark.parametrize("absent", [None, "null"])
    def test_optional_tag_and_media_url(self, absent: str | None) -> None:
        """An absent or null tag/mediaUrl is None, and None is written as absent."""
        changes = {"tag": None, "mediaUrl": None} if absent is None else {}
        body = recording(**changes)
        if absent == "null":
            body.update(tag=None, mediaUrl=None)

        event = parse_recording(body)

        assert (event.tag, event.media_url) == (None, None)
        assert "tag" not in to_dict(event)
        assert "mediaUrl" not in to_dict(event)

    def test_tag_is_kept(self) -> None:
        """A tag that was set is read and written back, even an empty one."""
        assert parse_recording(recording(tag="")).tag == ""
        assert to_dict(parse_recording(recording(tag="x")))["tag"] == "x"


class TestBadBodies:
    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            (b"{not json", "not valid JSON: "),
            (b"\xff\xfe", "not valid JSON: "),
            (b"", "not valid JSON: "),
            (b"[1, 2]", "expected a JSON object, received [1,2] (array)"),
            (b'"text"', 'expected a JSON object, received "text" (string)'),
            ([1], "expected a JSON object, received [1] (array)"),
            (None, "expected a JSON object, received null"),
        ],
    )
    def test_body_that_is_not_an_object(self, body: object, problem: str) -> None:
        """Non-JSON and non-object bodies name the body as a whole ("$")."""
        error = parse_error(body)

        assert list(error.errors) == ["$"]
        assert error.errors["$"].startswith(problem)
        assert error.body is body

    def test_not_json_chains_the_decoder_error(self) -> None:
        """The JSON decoder's error is the cause."""
        assert isinstance(parse_error(b"{").__cause__, orjson.JSONDecodeError)

    @pytest.mark.parametrize(
        ("event_type", "problem"),
        [
            (None, "required field is missing"),
            (12, "expected a string, received 12 (number)"),
            ({"a": 1}, 'expected a string, received {"a":1} (object)'),
        ],
    )
    def test_missing_or_non_string_event_type(self, event_type: object, problem: str) -> None:
        """EventType must be there and be a string."""
        body = recording(eventType=event_type) if event_type else recording(eventType=None)

        error = parse_error(body)

        assert error.errors == {"eventType": problem}
        assert error.event_type is None

    @pytest.mark.parametrize(("cls", "field"), REQUIRED_FIELDS)
    def test_missing_required_field(self, cls: type[VoiceEvent], field: str) -> None:
        """Every field documented as always sent is required; a missing one is named."""
        body = golden_dict(cls.event_type)
        del body[field if field in body else SECOND_SPELLINGS[field]]

        error = parse_error(body)

        assert error.errors == {field: "required field is missing"}
        assert error.event_type == cls.event_type

    @pytest.mark.parametrize("field", ["callId", "from", "to", "name", "conferenceId"])
    @pytest.mark.parametrize("name", ["conferenceMemberJoin", "conferenceMemberExit"])
    def test_member_fields_must_be_strings(self, name: str, field: str) -> None:
        """A member event's ids and numbers are strings; a number is named as wrong."""
        error = parse_error(golden_dict(name) | {field: 15559998765})

        assert error.errors == {field: "expected a string, received 15559998765 (number)"}

    @pytest.mark.parametrize(
        ("field", "value", "problem"),
        [
            ("channels", "one", 'expected an integer, received "one" (string)'),
            ("channels", True, "expected an integer, received true (boolean)"),
            ("channels", 1.0, "expected an integer, received 1.0 (number)"),
            ("accountId", 55555555, "expected a string, received 55555555 (number)"),
            ("tag", 7, "expected a string, received 7 (number)"),
            ("status", None, "expected a string, received null"),
            ("fileFormat", ["wav"], 'expected a string, received ["wav"] (array)'),
            ("eventTime", 1568393453, "expected an ISO 8601 timestamp string, received 1568393453"),
            ("endTime", "2019-09-13-16:48:27.198Z", "expected an ISO 8601 date and time, received"),
            ("startTime", "2019-02-30T00:00:00Z", "expected an ISO 8601 date and time, received"),
            ("duration", 20.056, "expected an ISO 8601 duration string, received 20.056 (number)"),
            ("duration", "P1M", "expected a duration of fixed length"),
            ("duration", "-PT1S", "expected a duration that is not negative"),
            ("duration", "20 seconds", "expected an ISO 8601 duration, received"),
        ],
    )
    def test_wrong_value_names_field_problem_and_value(
        self, field: str, value: object, problem: str
    ) -> None:
        """A wrong value is reported under its wire field, with what was wrong and received."""
        body = recording()
        body[field] = value

        error = parse_error(body)

        assert list(error.errors) == [field]
        assert error.errors[field].startswith(problem)
        assert f"{field}: {error.errors[field]}" in str(error)

    def test_every_bad_field_is_reported(self) -> None:
        """Several bad fields in one body are all reported, not just the first."""
        error = parse_error(recording(channels="one", endTime="yesterday", recordingId=None))

        assert set(error.errors) == {"channels", "endTime", "recordingId"}
        assert str(error).startswith("invalid conferenceRecordingAvailable webhook body: ")

    def test_cause_is_chained(self) -> None:
        """The converter's error is the cause, for a full traceback in logs."""
        assert parse_error(recording(channels="one")).__cause__ is not None

    @pytest.mark.parametrize("kind", [bytes, Raw], ids=["bytes", "bytes-subclass"])
    @pytest.mark.parametrize(
        "text",
        [orjson.dumps(recording(channels="one")), b"{not json"],
        ids=["bad-field", "not-json"],
    )
    def test_body_is_kept_exactly(self, kind: type[bytes], text: bytes) -> None:
        """The error holds the very body it was given, so a receiver can store it."""
        body = kind(text)

        assert parse_error(body).body is body

    def test_non_json_values_in_a_mapping(self) -> None:
        """A decoded mapping holding a value JSON cannot carry is refused, naming where."""
        error = parse_error(recording(custom={"ratio": float("nan")}))

        assert error.errors == {
            "custom.ratio": "expected a JSON value, received nan (number JSON cannot carry)"
        }

    def test_non_json_values_in_an_unknown_event(self) -> None:
        """The same holds for the payload of an unknown event."""
        error = parse_error({"eventType": "callInitiated", "when": datetime(2020, 1, 1)})  # noqa: DTZ001

        assert error.event_type == "callInitiated"
        assert error.errors["when"].startswith("expected a JSON value, received datetime.datetime")


class TestProperties:
    @given(voice_events)
    def test_generated_event_survives_the_wire(self, event: VoiceEvent) -> None:
        """Any event of any class, written with to_dict or to_json, parses back equal and alike."""
        for wire in (to_dict(event), to_json(event)):
            parsed = parse_event(wire)
            assert type(parsed) is type(event)
            assert parsed == event

    @given(voice_payloads)
    def test_bandwidth_format_payload_round_trips_exactly(self, payload: dict[str, Any]) -> None:
        """Any body in Bandwidth's own format, of any event, comes back from to_dict identical."""
        assert to_dict(parse_event(orjson.dumps(payload))) == payload

    @given(voice_payloads)
    def test_caller_mapping_is_never_changed(self, payload: dict[str, Any]) -> None:
        """Parsing any event from a mapping leaves the mapping as it was, nested values too."""
        before = copy.deepcopy(payload)

        event = parse_event(payload)
        to_dict(event)

        assert payload == before

    @given(
        st.one_of(
            json_values,
            json_objects,
            voice_payloads.flatmap(corrupted),
            st.fixed_dictionaries({"eventType": st.sampled_from(sorted(ALL_DOCUMENTED))}).flatmap(
                corrupted
            ),
        )
    )
    def test_any_json_gives_an_event_or_our_error(self, value: object) -> None:
        """No JSON value, however wrong, escapes as anything but EventParseError."""
        try:
            event = parse_event(orjson.dumps(value))
        except EventParseError as error:
            assert error.errors
            assert error.body is not None
        else:
            assert isinstance(event, VoiceEvent | UnknownEvent)

    @given(st.sampled_from(EVENT_CLASSES), st.data())
    def test_breaking_fields_names_exactly_them(
        self, cls: type[VoiceEvent], data: st.DataObject
    ) -> None:
        """In a body of any event, required fields removed or of the wrong JSON type are named.

        Every broken field is reported, and no other: under the key the body used, for a field
        with two.
        """
        payload = data.draw(bandwidth_payloads(cls))
        broken = data.draw(st.sets(st.sampled_from(required_keys(cls)), min_size=1))
        wrong_type = st.none() | st.booleans() | st.lists(st.integers(), max_size=2)
        named: set[str] = set()
        for field in broken:
            key = field if field in payload else SECOND_SPELLINGS[field]
            if data.draw(st.booleans()):
                del payload[key]
                named.add(field)
            else:
                payload[key] = data.draw(wrong_type)
                named.add(key)

        with pytest.raises(EventParseError) as info:
            parse_event(payload)

        assert set(info.value.errors) == named
        assert info.value.event_type == payload["eventType"]
        assert info.value.body is payload


@pytest.mark.parametrize("value", [{"eventType": "conferenceCreated"}, "text", b"{}", None])
@pytest.mark.parametrize("write", [to_dict, to_json])
def test_writing_refuses_what_is_not_an_event(write: Any, value: object) -> None:
    """to_dict and to_json take events only; a dict or a body is a TypeError that says so."""
    with pytest.raises(TypeError, match="take an event of bandwidth_events"):
        write(value)


#: Values a mapping built in Python may hold: JSON's, and what JSON cannot carry or write back.
_ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**64, -(2**63) - 1, 10**400, 2**63]),
    st.floats(),
    st.text(),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2),  # lone surrogates
    st.builds(object),
)
_ODD_VALUES = st.recursive(
    _ODD_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner),
        st.dictionaries(st.one_of(st.text(), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)


class TestAnyInput:
    @given(voice_payloads, st.text(min_size=1), _ODD_VALUES)
    def test_a_mapping_parses_to_what_writes_and_reads_back_or_is_refused(
        self, payload: dict[str, Any], key: str, value: object
    ) -> None:
        """Any mapping parses to an event whose JSON reads back equal, or is an EventParseError."""
        try:
            event = parse_event(payload | {f"x-{key}": value})
        except EventParseError:
            return
        text = to_json(event)

        again = parse_event(text)
        assert again == event
        assert to_dict(again) == to_dict(event)

    @given(voice_payloads, st.integers(min_value=2**63) | st.integers(max_value=-(2**63) - 1))
    def test_integers_beyond_64_bits_come_back_exact(self, payload: dict[str, Any], n: int) -> None:
        """An integer orjson would read as a float is read exactly, and written back the same."""
        body = json.dumps(payload | {"x-big": n, "x-nested": [{"n": -n}]}).encode()

        wire = to_dict(parse_event(body))

        assert wire["x-big"] == n
        assert type(wire["x-big"]) is int
        assert wire["x-nested"] == [{"n": -n}]
        assert to_json(parse_event(body)) == to_json(parse_event(to_json(parse_event(body))))

    def test_an_array_of_long_integers_is_still_not_an_object(self) -> None:
        """A body that is an array is refused as such, however its numbers were read."""
        assert parse_error(b"[18446744073709551616]").errors == {
            "$": "expected a JSON object, received [18446744073709551616] (array)"
        }

    def test_a_whole_float_of_that_size_stays_a_float(self) -> None:
        """A float written as one (1e19) is read by the exact path too, and stays a float."""
        body = orjson.dumps(golden_dict(RECORDING) | {"x": 1e19, "y": 1.5})

        wire = to_dict(parse_event(body))

        assert (wire["x"], type(wire["x"]), wire["y"]) == (1e19, float, 1.5)

    def test_a_known_field_beyond_64_bits_is_read_exactly(self) -> None:
        """A count of channels beyond 64 bits is an integer, as JSON said, not a float."""
        body = json.dumps(golden_dict(RECORDING) | {"channels": 2**70}).encode()

        assert parse_event(body, ConferenceRecordingAvailable).channels == 2**70

    @pytest.mark.parametrize(
        ("value", "where", "problem"),
        [
            ("\udc80", "x", "text UTF-8 cannot carry (a lone surrogate), received '\\udc80'"),
            ({"\ud800": 1}, "x", "a key holds text UTF-8 cannot carry (a lone surrogate)"),
            ([1, float("inf")], "x[1]", "expected a JSON value, received inf"),
        ],
    )
    def test_what_cannot_be_written_back_is_refused_where_it_is(
        self, value: object, where: str, problem: str
    ) -> None:
        """A value of a mapping that JSON could not carry back is named by its path at parse."""
        error = parse_error(golden_dict(RECORDING) | {"x": value})

        assert list(error.errors) == [where]
        assert error.errors[where].startswith(problem)
        assert error.event_type == RECORDING

    def test_an_integer_too_long_to_write_is_refused(self) -> None:
        """An integer beyond Python's 4,300 digits is refused at parse, not when written."""
        huge = 10**5000  # built by arithmetic: no decimal text is involved

        error = parse_error(golden_dict(RECORDING) | {"x": [huge]})
        assert error.errors == {
            "x[0]": "expected an integer of at most 4,300 digits, received an integer of about "
            "5,001 digits (number)"
        }
        assert "about 5,001 digits" in parse_error({"eventType": huge}).errors["eventType"]

    def test_a_body_with_an_integer_too_long_is_not_json_to_us(self) -> None:
        """The same integer in a body's text is refused as not valid JSON, with its reason."""
        text = json.dumps(golden_dict(RECORDING))[:-1] + ', "x": 1' + "0" * 5000 + "}"

        error = parse_error(text)

        assert error.errors["$"].startswith("not valid JSON: Exceeds the limit (4300 digits)")

    def test_nan_is_not_json_on_the_exact_path_either(self) -> None:
        """NaN, which the standard library's decoder would take, is refused with orjson's reason."""
        text = json.dumps(golden_dict(RECORDING))[:-1] + ', "x": 18446744073709551616, "y": NaN}'

        assert parse_error(text).errors["$"].startswith("not valid JSON: unexpected character")

    @pytest.mark.parametrize("where", ["__getitem__", "__iter__"])
    def test_a_mapping_that_raises_is_an_event_parse_error(self, where: str) -> None:
        """Whatever a caller's mapping raises becomes an EventParseError, its cause chained."""
        payload = golden_dict(RECORDING)

        class Broken(Mapping[str, object]):
            def __getitem__(self, key: str) -> object:
                if where == "__getitem__":
                    raise RuntimeError("getitem broke")
                return payload[key]

            def __iter__(self) -> Iterator[str]:
                if where == "__iter__":
                    raise RuntimeError("iter broke")
                return iter(payload)

            def __len__(self) -> int:
                return len(payload)

        error = parse_error(Broken())

        assert error.errors["$"].startswith("the mapping could not be read: RuntimeError:")
        assert isinstance(error.__cause__, RuntimeError)

    def test_a_dict_whose_eq_raises_is_copied_not_compared(self) -> None:
        """Values whose __eq__ raises are never compared: the copy holds plain JSON values."""

        class Text(str):
            __slots__ = ()

            def __eq__(self, other: object) -> bool:
                raise RuntimeError("eq broke")

            __hash__ = str.__hash__

        payload = golden_dict(RECORDING) | {"x": Text("kept")}

        assert to_dict(parse_event(payload))["x"] == "kept"

    @pytest.mark.parametrize("depth", [2, 500, 1023])
    def test_nesting_the_decoder_reads_parses_and_writes_back(self, depth: int) -> None:
        """Any nesting orjson reads (1,024 levels, the body's object counted) round-trips."""
        text = json.dumps(golden_dict(RECORDING))[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"

        event = parse_event(text)

        written = to_json(event)
        assert written.endswith('"x":' + "[" * depth + "]" * depth + "}")
        # Python's == on 1,000 nested lists recurses past its limit: compare what is written.
        assert to_json(parse_event(written)) == written

    def test_nesting_beyond_the_decoder_is_refused_from_text_and_mappings(self) -> None:
        """One level more is refused: by orjson for text, by the copy for a mapping."""
        text = json.dumps(golden_dict(RECORDING))[:-1] + ', "x": ' + "[" * 1024 + "]" * 1024 + "}"
        [(where, problem)] = parse_error(text).errors.items()
        if where == "$":  # orjson refused it, and the standard library (3.11) cannot read it
            with pytest.raises(orjson.JSONDecodeError) as refused:
                orjson.loads(text)
            assert problem == f"not valid JSON: {refused.value}"
        else:
            # Read by a decoder that goes deeper (orjson 3.9.0, the standard library from
            # Python 3.12 on), then refused by the check of what it holds, saying where.
            assert where.startswith("x[0][0]")
            assert problem == "nested deeper than 1024 levels"

        deep: list[Any] = []
        inner = deep
        for _ in range(1024):
            inner.append([])
            inner = inner[0]
        error = parse_error(golden_dict(RECORDING) | {"x": deep})
        [(where, problem)] = error.errors.items()
        assert where.startswith("x[0][0]")
        assert where.endswith("…")
        assert problem == "nested deeper than 1024 levels"

    @pytest.mark.parametrize("where", ["x-deep", "machineDetectionResult.x-deep"])
    def test_what_a_laxer_decoder_lets_through_is_named_by_its_path(
        self, monkeypatch: pytest.MonkeyPatch, where: str
    ) -> None:
        """What a laxer decoder lets through is refused by each class's check, saying where."""
        deep: list[Any] = []
        inner = deep
        for _ in range(1024):
            inner.append([])
            inner = inner[0]
        body = golden_dict("machineDetectionComplete")
        if where == "x-deep":
            body["x-deep"] = deep
        else:
            body["machineDetectionResult"]["x-deep"] = deep

        def loads(_data: object) -> dict[str, Any]:  # orjson 3.9.0 reads any depth, for one
            return body

        monkeypatch.setattr("bandwidth_events._api._loads", loads)

        [(path, problem)] = parse_error(b"{}").errors.items()

        assert path.startswith(f"{where}[0][0]")
        assert problem == "nested deeper than 1024 levels"
