"""The ``fast`` extra: msgspec decodes a raw body straight into a struct of its event's shape.

With msgspec installed, `parse_event` hands a raw body to msgspec first. msgspec decodes it, in
compiled code, into a struct per model class, made here from the field kinds (each kind's
``wire_type``: a timestamp is a string, a boolean a string or a JSON boolean). That checks every
field's JSON type, that required fields are there and that no key is unknown, and picks the
event class by ``eventType`` (a tagged union). With the class known, the decoder is of that
class's struct alone, where ``eventType`` is a field that must hold the class's, wherever it
comes: a union must find its tag first, and when the body does not begin with it, msgspec reads
ahead to it, then again from the start (Bandwidth's documented media-stream and real-time
transcription bodies give it ninth or tenth). The class's struct reader (``_reader``, from the
same kinds' statements as its dict reader) then makes the event from the struct's attributes.
A field with a second wire key has an attribute for each key, and the reader takes the one that
came. A nested object whose keys vary (``keys_vary``: a diversion's follow the SIP header) is
decoded as a ``dict`` instead, for its class's dict reader, which keeps the unlisted ones.

What msgspec does not take (a key this version does not model, an ``eventType`` it does not
know or an event's second one, a value of another JSON type, anything not JSON), and what the
struct reader refuses, goes to the dict reader and the converter as before: the event is the
same either way, which property tests pin. A reader that mostly refuses (every body of an event
with a field this version does not model) stops trying msgspec for a while (`_backing_off`).

msgspec is imported, and the structs are made, on the first raw body parsed; an install
without it never gets here.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, Union, cast

from ._events import EVENT_CLASS_SET, EVENT_CLASSES
from ._kinds import field_kinds, struct_model
from ._naming import EVENT_TYPE, aliases
from ._reader import ABSENT, DECLINED, make_struct_reader, second_key_attribute

if TYPE_CHECKING:
    import msgspec

#: Reads a raw body into an event, or gives ``None``: orjson and the dict reader are to read it.
RawReader: TypeAlias = Callable[[Any], Any]

_Structs: TypeAlias = dict[type[Any], "type[msgspec.Struct]"]
# The struct of each model class made so far, an event's tagged (nested ones are shared).
_STRUCTS: Final[_Structs] = {}


def raw_reader(cls: type[Any] | None) -> RawReader | None:
    """Give a new raw-body reader for an event class, or for any event (``None``).

    ``None`` if msgspec is not installed, or ``cls`` is no event class (`parse_event` says so).
    Each call gives a reader of its own, with its own count of refusals: `parse_event` keeps
    one per class (``_api._RAW_READERS``).
    """
    found = _decoding(cls)
    if found is None:
        return None
    decode, refused = found
    return _backing_off(decode, (refused, *DECLINED))


#: Refusals more than successes by this much, and a reader stops trying msgspec for a while.
REFUSALS_TO_BACK_OFF: Final = 8
#: The bodies a reader first leaves to orjson when it backs off, and at most (doubling each time).
BACK_OFF_FIRST: Final = 32
BACK_OFF_LONGEST: Final = 4096


def _backing_off(decode: Callable[[Any], Any], declined: tuple[type[Exception], ...]) -> RawReader:
    """Give a reader of raw bodies that stops trying msgspec while it mostly refuses.

    A refusal costs more than orjson and the dict reader would have (about 1 µs, and an
    exception), and a body with a key this version does not model is refused every time: when
    Bandwidth adds a field to an event, every body of it would be. So each refusal adds one to a
    score and each success takes one off it (down to nothing); when the refusals are ahead by
    `REFUSALS_TO_BACK_OFF`, the next `BACK_OFF_FIRST` bodies go straight to orjson, then it
    tries again. If the refusals stay ahead, each pause is twice the last, up to
    `BACK_OFF_LONGEST`; once the successes catch up, the next pause is the first length again.

    The event is the same either way: this only chooses which path reads it first. Threads may
    race on the counts, losing a step or taking one twice; that only moves a pause.
    """
    score = 0
    skipping = 0
    pause = BACK_OFF_FIRST

    def read(raw: Any) -> Any:  # noqa: ANN401 -- a raw body; an event, or None if declined
        nonlocal score, skipping, pause
        if skipping > 0:  # not `if skipping`: a race of threads may leave it below zero
            skipping -= 1
            return None
        try:
            event = decode(raw).read_event()
        except declined:
            score += 1
            if score >= REFUSALS_TO_BACK_OFF:  # `==` could be stepped over by a race
                skipping, pause = pause, min(2 * pause, BACK_OFF_LONGEST)
                score //= 2  # back in the count: a few more refusals make the next pause
            return None
        if score:
            score -= 1
            if not score:
                pause = BACK_OFF_FIRST
        return event

    return read


Decoding: TypeAlias = tuple[Callable[[Any], Any], type[Exception]]


def _decoding_of(cls: type[Any] | None) -> Decoding | None:
    """Give the decoder of any event's body (``None``) or of one class's.

    The decoder gives a struct, whose ``read_event()`` is its class's struct reader. What the
    decoder raises for a body it does not take is given too: msgspec 0.19's errors are no
    `ValueError`. ``None``: msgspec is not installed, or ``cls`` is no event class.
    """
    try:
        import msgspec  # noqa: PLC0415 -- the optional extra, imported on first use
    except ImportError:
        return None
    if cls is None:
        # A union made at run time (one type alone is its own union). An event class with a
        # second eventType is read under its first.
        tagged = tuple(_struct(each) for each in dict.fromkeys(EVENT_CLASSES.values()))
        decoder = msgspec.json.Decoder(cast("Any", Union)[tagged])
    elif cls in EVENT_CLASS_SET:
        decoder = msgspec.json.Decoder(_struct(cls, tagged=False))
    else:
        return None
    return decoder.decode, msgspec.DecodeError


#: `_decoding_of` memoised. (The cast: mypy counts no class as Hashable.)
_decoding: Final = cast("Callable[[type[Any] | None], Decoding | None]", cache(_decoding_of))


def _struct(cls: type[Any], *, tagged: bool = True) -> "type[msgspec.Struct]":
    """Make the struct of a model class, its nested ones first (no model class holds itself).

    An event's struct is tagged by its ``eventType``, for the union of them all; untagged, it
    has the ``eventType`` as a field that must hold the class's, which the body may give
    anywhere. (A single tagged struct would take a body with no ``eventType`` at all.) Either
    has the event class's struct reader as its method ``read_event``: a method is called in
    fewer instructions than a reader looked up by the struct's class. A nested object's struct
    has none: its parent's reader reads it inline.
    """
    import msgspec  # noqa: PLC0415 -- imported already by _decoding

    if tagged and cls in _STRUCTS:
        return _STRUCTS[cls]
    second_keys = aliases(cls)
    fields: list[tuple[str, Any] | tuple[str, Any, object]] = []
    rename: dict[str, str] = {}
    for wire_field in field_kinds(cls):
        kind = wire_field.kind
        model = struct_model(kind)
        wire: Any = kind.wire_type if model is None else _struct(model)
        name, key = wire_field.field.name, wire_field.key
        rename[name] = key
        second = second_keys.get(key)
        if second is not None:
            # Either key, each ABSENT when it did not come (a null is refused, as it must be).
            fields += [(name, wire, ABSENT), (second_key_attribute(name), wire, ABSENT)]
            rename[second_key_attribute(name)] = second
        # An optional field may be null or absent: either is None, as for the dict reader.
        elif wire_field.optional:
            fields.append((name, wire | None, None))
        else:
            fields.append((name, wire))
    event_type: str | None = getattr(cls, "event_type", None)
    tag = event_type if tagged else None
    if event_type is not None and not tagged:
        # Its wire key as the attribute's name, which no field has (theirs are snake case).
        fields.append((EVENT_TYPE, cast("Any", Literal)[event_type]))
    struct = msgspec.defstruct(
        cls.__name__,
        fields,
        module=__name__,
        kw_only=True,
        forbid_unknown_fields=True,
        rename=rename,
        tag_field=EVENT_TYPE if tag else None,
        tag=tag,
        # Decoded, read and dropped: never in a cycle, so the collector need not track them.
        gc=False,
        namespace=None if event_type is None else {"read_event": make_struct_reader(cls)},
    )
    if tagged:
        _STRUCTS[cls] = struct
    return struct
