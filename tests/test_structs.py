"""The ``fast`` extra's reader of raw bodies (msgspec), pinned to the converter.

Whatever it accepts it must read exactly as the converter and the dict reader do; what it
refuses, they read. Run with msgspec installed (the tests sessions) and without (the pure one,
which skips all but the last test).
"""

# pyright: reportPrivateUsage=false
# (These tests compare private fast and general paths directly.)

import inspect
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path
from typing import Any, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bandwidth_events import (
    Answer,
    ConferenceCompleted,
    ConferenceCreated,
    Disconnect,
    EventParseError,
    Initiate,
    RealTimeTranscriptionAvailable,
    RealTimeTranscriptionRejected,
    RealTimeTranscriptionStarted,
    RealTimeTranscriptionStopped,
    VoiceEvent,
    _api,
    _structs,
    parse_event,
)
from bandwidth_events._api import _RAW_READERS, converter
from bandwidth_events._durations import FRACTIONS
from bandwidth_events._json import may_be_inexact
from bandwidth_events._kinds import field_kinds
from bandwidth_events._reader import READ_TOGETHER_FROM, Refused, make_struct_reader
from bandwidth_events._timestamps import (
    BANDWIDTH_SKELETON,
    DIGITS_AS_ZERO,
    SHAPES,
    SKELETON_PLACES,
    ZONE_PLACE,
)

from .conftest import PAYLOADS, assert_read_only_models, golden, golden_dict
from .strategies import EVENT_CLASSES, bandwidth_payloads, json_values, timestamps_recut
from .test_fast_paths import near_durations

needs_msgspec = pytest.mark.skipif(find_spec("msgspec") is None, reason="msgspec not installed")


def class_of(payload: dict[str, Any]) -> type[VoiceEvent]:
    """Give the class of a generated body, by its eventType (either spelling)."""
    event_type = payload["eventType"]
    return next(c for c in EVENT_CLASSES if event_type in (c.event_type, *c.event_type_aliases))


def raw(payload: dict[str, Any]) -> bytes:
    """Give a body's JSON text (the standard library's: any integer, escaped surrogates)."""
    return json.dumps(payload).encode()


def nested(model: Any) -> list[Any]:
    """Give the objects nested in a model instance (those present)."""
    values: list[Any] = [getattr(model, name) for name in attrs.asdict(model, recurse=False)]
    return [value for value in values if attrs.has(value.__class__)]


def keeps_unlisted_fields(model: Any) -> bool:
    """Tell whether an event, or an object in it whose keys do not vary, kept an unknown field."""
    if model.extra_fields and not model.keys_vary:
        return True
    return any(keeps_unlisted_fields(each) for each in nested(model))


def nested_extras_may_be_inexact(model: Any) -> bool:
    """Tell whether an object nested in an event kept a float that may have been an integer.

    Its dict reader leaves such a float (an unknown field's) to the exact path.
    """
    return any(
        may_be_inexact(dict(cast("Mapping[str, object]", each.extra_fields)))
        or nested_extras_may_be_inexact(each)
        for each in nested(model)
    )


def read_fast(cls: type[Any] | None, body: bytes) -> object:
    """Give a new raw reader's event (no refusal before it backs it off), or ``Refused``."""
    reader = _structs.raw_reader(cls)
    assert reader is not None
    event = reader(body)
    return Refused if event is None else event


@needs_msgspec
@given(st.sampled_from(EVENT_CLASSES).flatmap(bandwidth_payloads), st.data())
def test_raw_reader_gives_what_the_converter_gives(
    payload: dict[str, Any], data: st.DataObject
) -> None:
    """For any body, valid or broken, the raw reader gives the converter's event or refuses.

    It refuses no body the dict reader takes without keeping an unknown field, under an
    eventType its class reads first; unknown keys of a nested object whose keys vary (a
    diversion's follow the SIP header) are read and kept.
    """
    cls = class_of(payload)
    change = data.draw(st.sampled_from(["none", "a value", "an unlisted key", "a nested one"]))
    nested: list[dict[str, Any]] = [value for value in payload.values() if type(value) is dict]
    where = (
        payload if change == "an unlisted key" or not nested else data.draw(st.sampled_from(nested))
    )
    if change == "a value":
        key = data.draw(st.sampled_from(sorted(payload.keys() - {"eventType"})))
        payload[key] = data.draw(json_values)
    elif change != "none":
        # Any key and value the readers can take (json_values holds many they cannot).
        text = st.text(st.characters(codec="utf-8"), max_size=8)
        value = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), text)
        where[data.draw(text.filter(lambda key: key not in where))] = data.draw(value)
    body = raw(payload)
    fast = read_fast(cls, body)
    assert read_fast(None, body) == fast  # dispatching, the same
    try:
        slow = converter().structure(payload, cls)
    except Exception:  # noqa: BLE001 -- a bad body: the raw reader must have refused it
        assert fast is Refused
        return
    if fast is Refused:
        assert (
            keeps_unlisted_fields(slow)
            or payload["eventType"] != cls.event_type
            or nested_extras_may_be_inexact(slow)
        )
        return
    assert fast == slow
    for field in attrs.fields(cls):
        assert type(getattr(fast, field.name)) is type(getattr(slow, field.name)), field.name
    assert fast == parse_event(payload)  # the dict reader's, or the converter's


def timestamp_keys(cls: type[Any]) -> list[str]:
    """Give the wire keys of a class's fields its struct reader checks together (see _reader)."""
    return [field.key for field in field_kinds(cls) if field.kind.reader_together]


#: Each event class whose struct reader checks its timestamps together.
TIMESTAMPS_TOGETHER = [
    cls for cls in EVENT_CLASSES if len(timestamp_keys(cls)) >= READ_TOGETHER_FROM
]


#: The documented bodies of those classes.
TIMESTAMPS_TOGETHER_BODIES = [
    path.stem
    for path in sorted(PAYLOADS.glob("*.json"))
    if class_of(golden_dict(path.stem)) in TIMESTAMPS_TOGETHER
]


@st.composite
def with_timestamps_recut(draw: st.DrawFn) -> tuple[type[VoiceEvent], dict[str, Any]]:
    """Draw a documented body of TIMESTAMPS_TOGETHER, its timestamps drawn by timestamps_recut.

    Each optional one may be absent or null instead.
    """
    payload = golden_dict(draw(st.sampled_from(TIMESTAMPS_TOGETHER_BODIES)))
    cls = class_of(payload)
    keys = timestamp_keys(cls)
    optional = {field.key for field in field_kinds(cls) if field.optional}
    for key, value in zip(keys, draw(timestamps_recut(len(keys))), strict=True):
        payload[key] = value
        if key in optional:
            absent = draw(st.sampled_from(["present", "absent", "null"]))
            if absent == "absent":
                del payload[key]
            elif absent == "null":
                payload[key] = None
    return cls, payload


def test_an_absent_timestamps_stand_in_passes_the_check_of_them_together() -> None:
    """An absent optional timestamp does not send the others to their own checks."""
    kind = next(
        field.kind
        for field in field_kinds(Disconnect)
        if field.optional and field.kind.reader_together
    )
    assert kind.write is not None
    stand_in = kind.write(kind.stand_in)  # as the reader writes it

    assert stand_in[SKELETON_PLACES] == BANDWIDTH_SKELETON  # as one value is checked
    assert stand_in[ZONE_PLACE] == "Z"
    assert stand_in.encode().translate(DIGITS_AS_ZERO) == SHAPES[1]


@needs_msgspec
@given(with_timestamps_recut())
def test_raw_reader_reads_timestamps_checked_together_as_the_converter(
    drawn: tuple[type[VoiceEvent], dict[str, Any]],
) -> None:
    """A struct reader checks a model's timestamps at once: as the converter reads them, or not.

    Some in another shape send each to its own check; recut ones (of other lengths, whose
    text is the same once joined) are refused, by the check or by the standard library.
    """
    cls, payload = drawn
    fast = read_fast(cls, raw(payload))
    if fast is not Refused:
        assert fast == converter().structure(payload, cls)


def objects_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Give a body and the objects nested in it."""
    return [payload, *(value for value in payload.values() if type(value) is dict)]


#: The documented bodies with a duration (which the raw reader takes as they are).
WITH_A_DURATION = [
    path.stem
    for path in sorted(PAYLOADS.glob("*.json"))
    if any("duration" in each for each in objects_of(golden_dict(path.stem)))
]


@needs_msgspec
@given(st.sampled_from(WITH_A_DURATION), near_durations, st.data())
def test_raw_reader_reads_durations_as_the_converter(
    stem: str, duration: str, data: st.DataObject
) -> None:
    """The durations a struct reader reads inline come out as the converter reads them.

    It keeps the fractions of up to three digits it reads, and no others: 1,110 at most.
    """
    payload = golden_dict(stem)
    cls = class_of(payload)
    objects = objects_of(payload)
    where = data.draw(st.sampled_from([each for each in objects if "duration" in each]))
    where["duration"] = duration
    fast = read_fast(cls, raw(payload))
    if fast is not Refused:
        assert fast == converter().structure(payload, cls)
    assert all(len(tail) <= len("999S") for tail in FRACTIONS)


@needs_msgspec
@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("*.json")), ids=lambda path: path.stem)
def test_documented_bodies_take_the_raw_reader(path: Path) -> None:
    """Each documented body takes it, but for an unknown field where keys do not vary."""
    try:
        event = parse_event(json.loads(path.read_bytes()))
    except EventParseError:
        return  # refused by design (see docs/performance.md)
    if not isinstance(event, VoiceEvent) or keeps_unlisted_fields(event):
        assert read_fast(None, path.read_bytes()) is Refused
        return
    assert read_fast(type(event), path.read_bytes()) == event
    read = read_fast(None, path.read_bytes())
    assert read == event
    assert_read_only_models(read)  # filled in as an unfrozen twin, given back as the class


@needs_msgspec
def test_a_nested_float_that_may_have_been_an_integer_is_read_exactly() -> None:
    """An unknown nested float that may have been a long integer: refused, then read exactly."""
    body = json.loads(golden("initiate-2"))
    body["diversion"]["count"] = 2.0**63

    assert read_fast(Initiate, raw(body)) is Refused
    event = parse_event(raw(body), Initiate)
    assert event.diversion is not None
    assert event.diversion.extra_fields["count"] == 2.0**63


@needs_msgspec
def test_unlisted_keys_of_a_nested_object_are_kept() -> None:
    """A diversion's keys vary by SIP parameter: the raw reader keeps the ones not modelled."""
    body = golden("initiate-2")

    event = read_fast(Initiate, body)

    assert isinstance(event, Initiate)
    assert event.diversion is not None
    assert event.diversion.extra_fields == {"unknown": "unknownValue"}
    assert event == parse_event(json.loads(body))


@needs_msgspec
@pytest.mark.parametrize(
    "cls",
    [
        RealTimeTranscriptionAvailable,
        RealTimeTranscriptionRejected,
        RealTimeTranscriptionStarted,
        RealTimeTranscriptionStopped,
    ],
)
def test_a_field_with_two_keys_is_read_under_either_and_never_both(cls: type[VoiceEvent]) -> None:
    """The transcription object comes under one of its two keys; both, or a null, is refused."""
    rest = golden_dict(cls.event_type)
    value = rest.pop("transcription", None) or rest.pop("realTimeTranscription")
    body, second = rest | {"realTimeTranscription": value}, rest | {"transcription": value}

    first = read_fast(cls, raw(body))
    other = read_fast(cls, raw(second))

    assert first == parse_event(body)
    assert other == parse_event(second)
    assert getattr(other, "wire_spelling", None) == {"realTimeTranscription"}
    for refused in (
        body | {"transcription": body["realTimeTranscription"]},
        body | {"realTimeTranscription": None},
    ):
        assert read_fast(cls, raw(refused)) is Refused


@needs_msgspec
def test_another_event_is_refused_and_explained() -> None:
    """With the class known, a body of another event is refused, then named by the converter."""
    body = golden("conferenceCompleted")

    assert read_fast(ConferenceCreated, body) is Refused
    assert type(read_fast(ConferenceCompleted, body)) is ConferenceCompleted
    with pytest.raises(EventParseError, match="eventType"):
        parse_event(body, ConferenceCreated)


@needs_msgspec
@given(st.sampled_from(EVENT_CLASSES).flatmap(bandwidth_payloads), st.data())
def test_with_the_class_known_the_event_type_may_come_anywhere_but_must_come(
    payload: dict[str, Any], data: st.DataObject
) -> None:
    """The class's own decoder takes ``eventType`` in any place, and refuses a body without it.

    A body without it, or with another value there, is then explained by the converter.
    """
    cls = class_of(payload)
    event_type = payload.pop("eventType")
    keys = list(payload)
    place = data.draw(st.integers(0, len(keys)))
    moved = dict([*[(key, payload[key]) for key in keys[:place]], ("eventType", event_type)])
    moved |= {key: payload[key] for key in keys[place:]}
    fast = read_fast(cls, raw(moved))

    assert fast == read_fast(None, raw(moved))  # which the test above pins to the converter
    assert fast is Refused or fast == parse_event(moved)
    for refused in ({}, {"eventType": None}, {"eventType": "answerr"}, {"eventType": 1}):
        body = raw(payload | refused)
        assert read_fast(cls, body) is Refused
        with pytest.raises(EventParseError, match="eventType"):
            parse_event(body, cls)


@needs_msgspec
def test_what_msgspec_refuses_is_read_or_explained() -> None:
    """An unknown key, an eventType it does not know, bad JSON: the slower paths decide."""
    body = json.loads(golden("conferenceCompleted"))

    kept = parse_event(raw(body | {"newField": [1]}), ConferenceCompleted)
    unknown = parse_event(raw(body | {"eventType": "somethingNew"}))

    assert kept.extra_fields == {"newField": [1]}
    assert type(unknown).__name__ == "UnknownEvent"
    with pytest.raises(EventParseError, match=r"not valid JSON"):
        parse_event(golden("conferenceCompleted")[:-2])


class Counted:
    """A new raw reader of one class whose msgspec decoder counts its calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cls: type[Any] | None) -> None:
        found = _structs._decoding(cls)
        assert found is not None
        decode, refused = found
        self.decoded = 0

        def counting(raw: Any) -> Any:
            self.decoded += 1
            return decode(raw)

        def decoding(_cls: type[Any] | None) -> _structs.Decoding:
            return counting, refused

        monkeypatch.setattr(_structs, "_decoding", decoding)
        reader = _structs.raw_reader(cls)
        assert reader is not None
        self.read = reader

    def tries(self, bodies: list[bytes]) -> list[bool]:
        """Read each body; give, for each, whether msgspec was tried."""
        tried: list[bool] = []
        for body in bodies:
            before = self.decoded
            self.read(body)
            tried.append(self.decoded > before)
        return tried


def runs(tried: list[bool]) -> tuple[list[int], list[int]]:
    """Give the lengths of the runs of bodies tried, and of those left out (pauses)."""
    marks = "".join("t" if each else "." for each in tried)
    return [len(r) for r in marks.split(".") if r], [len(r) for r in marks.split("t") if r]


def pauses(tried: list[bool]) -> list[int]:
    """Give the lengths of the runs of bodies left out."""
    return runs(tried)[1]


COMPLETED = json.loads(golden("conferenceCompleted"))
GOOD, UNMODELLED = raw(COMPLETED), raw(COMPLETED | {"newField": 1})


@needs_msgspec
@pytest.mark.parametrize("cls", [ConferenceCompleted, None], ids=["class known", "dispatching"])
def test_a_reader_that_keeps_refusing_backs_off(
    monkeypatch: pytest.MonkeyPatch, cls: type[Any] | None
) -> None:
    """Every body refused: after a few, msgspec is left out for a while, each pause longer."""
    reader = Counted(monkeypatch, cls)

    tried = reader.tries([UNMODELLED] * 20_000)

    limit, first, longest = (
        _structs.REFUSALS_TO_BACK_OFF,
        _structs.BACK_OFF_FIRST,
        _structs.BACK_OFF_LONGEST,
    )
    doubling = [first * 2**n for n in range((longest // first).bit_length())]
    assert doubling[-1] == longest
    tries, left_out = runs(tried)
    # The first pause after `limit` refusals; each next one after half as many more.
    assert tries[: len(doubling) + 2] == [limit] + [limit // 2] * (len(doubling) + 1)
    assert left_out[: len(doubling) + 2] == [*doubling, longest, longest]


@needs_msgspec
def test_a_reader_backs_off_only_while_refusals_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Successes take refusals back; once they catch up, the next pause is the first length."""
    reader = Counted(monkeypatch, None)
    limit, first = _structs.REFUSALS_TO_BACK_OFF, _structs.BACK_OFF_FIRST

    # As many successes as refusals, interleaved: never a pause.
    assert all(reader.tries([UNMODELLED, GOOD] * 1000))
    assert all(reader.tries([UNMODELLED] * (limit - 1) + [GOOD] * (limit - 1)))
    # Two pauses, the second longer; then successes catch up, and the next pause is the first.
    tried = reader.tries([UNMODELLED] * (limit + first + limit // 2 + 2 * first))
    assert pauses(tried) == [first, 2 * first]
    assert all(reader.tries([GOOD] * (limit // 2)))
    assert pauses(reader.tries([UNMODELLED] * (limit + first + 1))) == [first]


@needs_msgspec
def test_counts_a_race_of_threads_left_off_do_not_stop_the_back_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counts past where a lone thread leaves them (a race) still give pauses, and end them."""
    reader = Counted(monkeypatch, None)
    cells = dict(zip(reader.read.__code__.co_freevars, reader.read.__closure__ or (), strict=True))
    limit, first = _structs.REFUSALS_TO_BACK_OFF, _structs.BACK_OFF_FIRST
    cells["skipping"].cell_contents = -1  # two threads took the last step of a pause
    cells["score"].cell_contents = limit + 1  # two refusals counted at once past the line

    tried = reader.tries([UNMODELLED] * (1 + first + 1))

    assert tried[0]
    assert pauses(tried) == [first]
    assert tried[-1]


@needs_msgspec
def test_threads_sharing_a_reader_get_the_same_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads parsing through one backing-off reader each get every event right."""
    reader = Counted(monkeypatch, ConferenceCompleted)
    monkeypatch.setitem(_RAW_READERS, ConferenceCompleted, reader.read)
    expected = {
        GOOD: parse_event(COMPLETED, ConferenceCompleted),
        UNMODELLED: parse_event(COMPLETED | {"newField": 1}, ConferenceCompleted),
    }
    bodies = [GOOD, UNMODELLED, UNMODELLED] * 700

    def parse_all(offset: int) -> bool:
        mine = bodies[offset:] + bodies[:offset]
        return all(parse_event(body, ConferenceCompleted) == expected[body] for body in mine)

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(parse_all, range(4)))
    assert 0 < reader.decoded < 4 * len(bodies)  # some tried, some left out


@needs_msgspec
def test_a_body_left_out_is_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """While a reader backs off, parse_event reads every body with orjson, to the same event."""
    reader = Counted(monkeypatch, ConferenceCompleted)
    monkeypatch.setitem(_RAW_READERS, ConferenceCompleted, reader.read)
    expected = parse_event(COMPLETED, ConferenceCompleted)
    kept = parse_event(COMPLETED | {"newField": 1}, ConferenceCompleted)

    events = [parse_event(body, ConferenceCompleted) for body in [UNMODELLED] * 9 + [GOOD] * 40]

    assert events == [kept] * 9 + [expected] * 40
    assert kept.extra_fields == {"newField": 1}
    # Eight refused, then 32 left out (the ninth body and 31 good ones), then 9 read.
    assert (_structs.REFUSALS_TO_BACK_OFF, _structs.BACK_OFF_FIRST) == (8, 32)
    assert reader.decoded == 8 + 9


@pytest.fixture
def without_msgspec(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make msgspec impossible to import, with the raw readers not yet looked for."""
    monkeypatch.setitem(__import__("sys").modules, "msgspec", None)
    monkeypatch.setattr(_api, "_RAW_READERS", {})
    clear = cast("Any", _structs._decoding).cache_clear
    clear()
    yield
    clear()


@pytest.mark.usefixtures("without_msgspec")
def test_without_msgspec_the_dict_reader_reads_every_body() -> None:
    """The default install: no raw reader, and the same events."""
    event = parse_event(golden("conferenceCompleted"))

    assert type(event) is ConferenceCompleted
    assert _structs.raw_reader(None) is None
    assert _structs.raw_reader(ConferenceCompleted) is None
    assert _api._RAW_READERS == {None: None}


def test_a_struct_readers_source_is_shown_in_tracebacks() -> None:
    """A struct reader's source is registered in linecache under a name of its own."""
    reader = make_struct_reader(Answer)

    assert inspect.getsource(reader).startswith("def read(o):")
    assert "v = o.machine_detection_result" in inspect.getsource(reader)
    # The nested object's struct is read inline, with locals and names of its own.
    assert "self1 = _machine_detection_result_twin()" in inspect.getsource(reader)
    assert "_machine_detection_result_read" not in inspect.getsource(reader)
    # A field that needs no conversion is set straight from the struct.
    assert "self.call_id = o.call_id" in inspect.getsource(reader)
    assert inspect.getsourcefile(reader) == (
        "<bandwidth_events struct reader bandwidth_events._events.calls.Answer>"
    )
