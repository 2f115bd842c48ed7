"""The ``fast`` extra: msgspec decodes a raw body straight into a struct of its event's shape.

With msgspec installed, `parse_event` hands a raw body to msgspec first. msgspec decodes it, in
compiled code, into a struct per model class, made here from the field kinds (each kind's
``wire_type``: a timestamp is a string, a boolean a string or a JSON boolean). That checks every
field's JSON type, that required fields are there and that no key is unknown, and picks the
event class by ``eventType`` (a tagged union). The class's struct reader (``_reader``, from the
same kinds' statements as its dict reader) then makes the event from the struct's attributes.
A field with a second wire key has an attribute for each key, and the reader takes the one that
came.

What msgspec does not take (a key this version does not model, an ``eventType`` it does not
know or an event's second one, a value of another JSON type, anything not JSON), and what the
struct reader refuses, goes to the dict reader and the converter as before: the event is the
same either way, which property tests pin.

msgspec is imported, and the structs are made, on the first raw body parsed; an install
without it never gets here.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeAlias, Union, cast

from ._events import EVENT_CLASSES
from ._kinds import field_kinds
from ._naming import EVENT_TYPE, aliases
from ._reader import ABSENT, Reader, Refused, make_struct_reader, second_key_attribute

if TYPE_CHECKING:
    import msgspec

#: Reads a raw body into an event, or raises one of `_reader.DECLINED`.
RawReader: TypeAlias = Callable[[Any], Any]

# The struct of each model class made so far.
_Structs: TypeAlias = dict[type[Any], "type[msgspec.Struct]"]


def _raw_reader(cls: type[Any] | None) -> RawReader | None:
    """Give the raw-body reader for an event class, or for any event (``None``).

    ``None`` if msgspec is not installed, or ``cls`` is no event class (`parse_event` says so).
    """
    found = _decoding()
    if found is None:
        return None
    decode, readers, refused = found
    if cls is None:

        def read_any(raw: Any) -> Any:  # noqa: ANN401 -- a raw body; an event
            try:
                struct = decode(raw)
            except refused:
                raise Refused from None
            return readers[struct.__class__](struct)

        return read_any
    mine = [(struct, reader) for struct, (event, reader) in _by_struct().items() if event is cls]
    if not mine:
        return None
    ((expected, read),) = mine

    def read_one(raw: Any) -> Any:  # noqa: ANN401 -- a raw body; an event
        try:
            struct = decode(raw)
        except refused:
            raise Refused from None
        if struct.__class__ is not expected:
            raise Refused  # another event: the dict reader says which
        return read(struct)

    return read_one


#: `_raw_reader` memoised: one reader per class. (The cast: mypy counts no class as Hashable.)
raw_reader: Final = cast("Callable[[type[Any] | None], RawReader | None]", cache(_raw_reader))


@cache
def _decoding() -> "tuple[Callable[[Any], Any], dict[type[Any], Reader], type[Exception]] | None":
    """Give the decoder of every event's struct, each struct's reader, and its errors.

    What the decoder raises for a body it does not take is given too: msgspec 0.19's errors are
    no `ValueError`. ``None``: msgspec is not installed.
    """
    try:
        import msgspec  # noqa: PLC0415 -- the optional extra, imported on first use
    except ImportError:
        return None
    by_struct = _by_struct()
    # A union made at run time (one type alone is its own union).
    union = cast("Any", Union)[tuple(by_struct)]
    decoder = msgspec.json.Decoder(union)
    readers = {kind: reader for kind, (_cls, reader) in by_struct.items()}
    return decoder.decode, readers, msgspec.DecodeError


@cache
def _by_struct() -> "dict[type[Any], tuple[type[Any], Reader]]":
    """Give each event struct, with its event class and struct reader.

    An event class with a second ``eventType`` is read under its first.
    """
    structs: _Structs = {}
    return {
        _struct(cls, structs): (cls, make_struct_reader(cls))
        for cls in dict.fromkeys(EVENT_CLASSES.values())
    }


def _struct(cls: type[Any], structs: _Structs) -> "type[msgspec.Struct]":
    """Make the struct of a model class, its nested ones first (no model class holds itself)."""
    import msgspec  # noqa: PLC0415 -- imported already by _decoding

    if cls in structs:
        return structs[cls]
    second_keys = aliases(cls)
    fields: list[tuple[str, Any] | tuple[str, Any, object]] = []
    rename: dict[str, str] = {}
    for wire_field in field_kinds(cls):
        kind = wire_field.kind
        wire: Any = kind.wire_type if kind.model is None else _struct(kind.model, structs)
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
    struct = msgspec.defstruct(
        cls.__name__,
        fields,
        module=__name__,
        kw_only=True,
        forbid_unknown_fields=True,
        rename=rename,
        tag_field=EVENT_TYPE if event_type else None,
        tag=event_type,
        # Decoded, read and dropped: never in a cycle, so the collector need not track them.
        gc=False,
    )
    structs[cls] = struct
    return struct
