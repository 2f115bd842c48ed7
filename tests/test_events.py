"""The event classes: frozen, hashable, precisely typed, and strict about what they hold."""

import copy
import inspect
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args, get_type_hints

import attrs
import pytest
from hypothesis import given

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    FileFormat,
    RecordingStatus,
    UnknownEvent,
    VoiceEvent,
    parse_event,
)
from bandwidth_events._events.base import Model
from bandwidth_events._naming import aliases, wire_keys

from .conftest import golden
from .strategies import EVENT_CLASSES, NESTED_CLASSES, WIRE_KEYS, voice_events

MOMENT = datetime(2019, 9, 13, 16, 50, 53, 788000, tzinfo=UTC)
MEMBER: dict[str, Any] = {
    "event_time": MOMENT,
    "conference_id": "conf-1",
    "name": "standup",
    "call_id": "c-1",
    "from_": "Anonymous",
    "to": "+15551112345",
}


def make(**changes: Any) -> ConferenceRecordingAvailable:
    """Build a recording event with valid values, some changed."""
    fields: dict[str, Any] = {
        "event_time": MOMENT,
        "conference_id": "conf-1",
        "name": "standup",
        "account_id": "5555",
        "recording_id": "r-1",
        "channels": 1,
        "start_time": MOMENT,
        "end_time": MOMENT,
        "duration": timedelta(seconds=20),
        "file_format": FileFormat.WAV,
        "status": RecordingStatus.COMPLETE,
    }
    return ConferenceRecordingAvailable(**(fields | changes))


def test_frozen() -> None:
    """An event cannot be changed after it is made."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        make().name = "other"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]


def test_slotted() -> None:
    """Events are slotted: no per-instance __dict__."""
    assert not hasattr(make(), "__dict__")


def test_hashable_and_equal_by_value() -> None:
    """Equal events hash equal, so they work as set members and dict keys."""
    assert make() == make()
    assert len({make(), make(), make(tag="x")}) == 2


def test_extra_fields_take_part_in_equality_but_not_hash() -> None:
    """Two events differing only in unknown fields are unequal, and still hashable."""
    one, other = make(), make(extra_fields={"new": [1]})

    assert one != other
    assert hash(one) == hash(other)


def attrs_twin(cls: type[Model]) -> type[Any]:
    """Give a plain attrs class with a model's fields, whose repr is attrs' own."""
    fields = {field.name: attrs.field(repr=field.repr) for field in attrs.fields(cls)}
    return attrs.make_class(cls.__qualname__, fields, kw_only=True, frozen=True)


def in_attrs_twins(value: object) -> object:
    """Give a model as its attrs twin, nested models too (see `attrs_twin`)."""
    if not isinstance(value, Model):
        return value
    cls = type(value)
    fields = {f.name: in_attrs_twins(getattr(value, f.name)) for f in attrs.fields(cls)}
    return attrs_twin(cls)(**fields)


@given(voice_events)
def test_a_repr_is_what_attrs_would_write(event: VoiceEvent) -> None:
    """Each model's repr is the one attrs would generate for it, nested models' included."""
    assert repr(event) == repr(in_attrs_twins(event))


@pytest.mark.parametrize("cls", [*EVENT_CLASSES, *NESTED_CLASSES], ids=lambda c: c.__name__)
def test_every_model_shares_one_repr(cls: type[Model]) -> None:
    """No model class has a repr of its own, which attrs would compile at import."""
    assert cls.__repr__ is Model.__repr__


def test_keyword_only() -> None:
    """Fields are keyword-only: positional construction of a 14-field event is an error."""
    with pytest.raises(TypeError):
        ConferenceRecordingAvailable(MOMENT)  # type: ignore[call-arg, arg-type]  # pyright: ignore[reportCallIssue]


def test_event_type_is_a_class_constant() -> None:
    """event_type is on the class and on every instance, and is not a field."""
    assert ConferenceRecordingAvailable.event_type == "conferenceRecordingAvailable"
    assert make().event_type == "conferenceRecordingAvailable"
    assert "event_type" not in attrs.fields_dict(ConferenceRecordingAvailable)


def test_timestamps_are_normalised_to_utc() -> None:
    """An aware datetime in another zone is kept as the same instant in UTC."""
    event = make(
        start_time=datetime(2019, 9, 13, 18, 50, 53, 788000, tzinfo=timezone(timedelta(hours=2)))
    )

    assert event.start_time == MOMENT
    assert event.start_time.tzinfo is UTC


def test_naive_timestamps_are_refused() -> None:
    """A naive datetime is refused when the event is built, not when it is written."""
    with pytest.raises(ValueError, match="naive datetime"):
        make(end_time=datetime(2019, 9, 13))  # noqa: DTZ001


def test_negative_duration_is_refused() -> None:
    """A recording cannot last less than nothing."""
    with pytest.raises(ValueError, match="cannot be negative"):
        make(duration=timedelta(seconds=-1))


def test_known_enum_strings_become_members() -> None:
    """A known value given as a plain string is stored as the member, as parsing does."""
    event = make(status="partial", file_format="mp3")

    assert event.status is RecordingStatus.PARTIAL
    assert event.file_format is FileFormat.MP3


def test_unknown_enum_strings_are_kept() -> None:
    """An unknown value stays the plain string."""
    event = make(status="archived", file_format="ogg")

    assert type(event.status) is str
    assert type(event.file_format) is str


def test_extra_fields_are_a_read_only_copy() -> None:
    """extra_fields cannot be changed, through the event or through the dict it was built from."""
    given = {"new": {"deep": [1]}}
    event = make(extra_fields=given)
    given["new"]["deep"].append(2)

    assert event.extra_fields == {"new": {"deep": [1]}}
    with pytest.raises(TypeError):
        event.extra_fields["new"] = 1  # type: ignore[index]  # pyright: ignore[reportIndexIssue]


def test_extra_fields_may_not_shadow_modelled_fields() -> None:
    """An unknown field may not carry a wire name the class models."""
    with pytest.raises(ValueError, match=r"modelled wire fields: \['eventType', 'mediaUrl'\]"):
        make(extra_fields={"mediaUrl": "x", "eventType": "y", "fine": 1})


def test_field_order_puts_optional_fields_last() -> None:
    """The repr shows required fields first, optional ones after, extra_fields last."""
    names = [field.name for field in attrs.fields(ConferenceRecordingAvailable)]

    assert names[:3] == ["event_time", "conference_id", "name"]
    assert names[-3:] == ["tag", "media_url", "extra_fields"]


@pytest.mark.parametrize("cls", [*EVENT_CLASSES, UnknownEvent])
def test_type_hints_resolve(cls: type) -> None:
    """typing.get_type_hints works on every public class (cattrs relies on it at runtime)."""
    assert get_type_hints(cls)


def test_enums_are_strings_with_documented_values() -> None:
    """Members equal their wire strings, so comparisons with plain strings behave."""
    assert [status.value for status in RecordingStatus] == [
        "complete", "partial", "error", "processing", "deleted",
    ]  # fmt: skip
    assert [fmt.value for fmt in FileFormat] == ["wav", "mp3"]
    wire: str = "complete"
    assert wire == RecordingStatus.COMPLETE


class TestUnknownEvent:
    def test_carries_event_type_and_payload(self) -> None:
        """An unknown event gives its eventType and the payload as received."""
        event = UnknownEvent({"eventType": "callInitiated", "callId": "c-1"})

        assert event.event_type == "callInitiated"
        assert event.payload == {"eventType": "callInitiated", "callId": "c-1"}

    def test_payload_needs_a_string_event_type(self) -> None:
        """A payload without a string eventType is not an event at all."""
        with pytest.raises(TypeError, match="needs a string eventType"):
            UnknownEvent({"eventType": 1})

    def test_frozen_and_hashable(self) -> None:
        """Unknown events are frozen and hashable too."""
        body = {"eventType": "callInitiated", "name": "n"}
        event = parse_event(body)

        assert isinstance(event, UnknownEvent)
        assert hash(event) == hash(parse_event(body))
        with pytest.raises(TypeError):
            event.payload["name"] = "x"  # type: ignore[index]  # pyright: ignore[reportIndexIssue]

    def test_match_by_event_type(self) -> None:
        """Structural pattern matching can select unknown events by their eventType."""
        match parse_event({"eventType": "callInitiated"}):
            case UnknownEvent(event_type="callInitiated"):
                matched = True
            case _:
                matched = False

        assert matched


@pytest.mark.parametrize(
    "event",
    [
        make(extra_fields={"new": {"deep": [1]}}, tag="t"),
        ConferenceMemberJoin(**MEMBER, extra_fields={"new": [1]}),
        UnknownEvent({"eventType": "callInitiated", "nested": [{"a": 1}]}),
    ],
    ids=["recording", "member", "unknown"],
)
def test_pickle_and_deepcopy(event: object) -> None:
    """Events survive pickling (queues, process pools) and deepcopy, read-only fields included."""
    assert pickle.loads(pickle.dumps(event)) == event  # noqa: S301 -- our own bytes
    assert copy.deepcopy(event) == event


class TestEveryEvent:
    def test_answers_bandwidth_expects(self) -> None:
        """Which events may be answered with BXML, as Bandwidth documents it."""
        takes_bxml = {cls.event_type for cls in EVENT_CLASSES if cls.accepts_bxml}

        assert takes_bxml == {
            "conferenceCreated", "conferenceRedirect", "conferenceMemberJoin",
            "conferenceMemberExit", "initiate", "answer", "redirect", "gather", "transferAnswer",
            "transferComplete", "bridgeComplete", "bridgeTargetComplete", "recordComplete",
            "referComplete",
        }  # fmt: skip
        assert ConferenceCompleted.accepts_bxml is False
        assert ConferenceRecordingAvailable.accepts_bxml is False
        assert UnknownEvent.accepts_bxml is False

    @pytest.mark.parametrize("cls", list(WIRE_KEYS))
    def test_every_class_models_exactly_its_documented_fields(self, cls: type[Any]) -> None:
        """Each class's wire fields are the ones Bandwidth documents for its eventType."""
        assert wire_keys(cls) - {"eventType"} - set(aliases(cls).values()) == WIRE_KEYS[cls]
        assert ("eventType" in wire_keys(cls)) is (cls in EVENT_CLASSES)
        assert get_args(VoiceEvent).count(cls) == (cls in EVENT_CLASSES)

    @pytest.mark.parametrize("cls", EVENT_CLASSES)
    def test_every_class_is_frozen_slotted_and_keyword_only(self, cls: type[VoiceEvent]) -> None:
        """The rules of the first event hold for every event class."""
        event = parse_event(golden(cls.event_type), cls)

        assert not hasattr(event, "__dict__")
        assert hash(event) == hash(parse_event(golden(cls.event_type), cls))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.event_time = MOMENT  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]
        with pytest.raises(TypeError):
            cls(MOMENT)  # type: ignore[call-arg, arg-type]  # pyright: ignore[reportCallIssue]
        assert cls.event_type == event.event_type
        assert "event_type" not in attrs.fields_dict(cls)

    def test_same_fields_different_events_are_unequal(self) -> None:
        """A conferenceCreated and a conferenceCompleted with the same values are not equal."""
        values: dict[str, Any] = {"event_time": MOMENT, "conference_id": "c", "name": "n"}

        created: object = ConferenceCreated(**values)
        completed: object = ConferenceCompleted(**values)

        assert created != completed
        assert len({created, completed, ConferenceRedirect(**values)}) == 3

    def test_member_events_keep_shared_fields_first(self) -> None:
        """Member events list the common fields, then the member's, then the optional ones."""
        names = [field.name for field in attrs.fields(ConferenceMemberExit)]

        assert names == [
            "event_time", "conference_id", "name", "call_id", "from_", "to", "tag", "extra_fields",
        ]  # fmt: skip

    def test_member_timestamps_are_utc_too(self) -> None:
        """Every event's event_time is normalised to UTC and refuses naive datetimes."""
        new_york = timezone(timedelta(hours=-5))
        local: dict[str, Any] = MEMBER | {"event_time": MOMENT.astimezone(new_york)}
        naive: dict[str, Any] = MEMBER | {"event_time": datetime(2019, 9, 13)}  # noqa: DTZ001

        assert ConferenceMemberJoin(**local).event_time.tzinfo is UTC
        with pytest.raises(ValueError, match="naive datetime"):
            ConferenceMemberJoin(**naive)

    def test_unknown_fields_may_not_shadow_member_fields(self) -> None:
        """``from`` is a modelled wire name of member events, so not an unknown field there."""
        with pytest.raises(ValueError, match=r"modelled wire fields: \['from'\]"):
            ConferenceMemberExit(**MEMBER, extra_fields={"from": "x"})


@pytest.mark.parametrize("cls", list(WIRE_KEYS))
def test_every_class_documents_every_attribute(cls: type[Any]) -> None:
    """Each model class's docstring ends with an Attributes section naming every attribute."""
    doc = inspect.getdoc(cls)

    assert doc is not None
    assert doc.count("\nAttributes:\n") == 1
    attributes = doc.split("\nAttributes:\n")[1]
    for field in attrs.fields(cls):
        assert f"\n    {field.name}: " in f"\n{attributes}", field.name
    assert cls.__doc__ is cls.__doc__  # written once, then kept
