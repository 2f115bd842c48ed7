"""The ``fast`` extra: msgspec decodes a raw body straight into a struct of its event's shape.

With msgspec installed, `parse_event` hands a raw body to msgspec first. msgspec decodes it, in
compiled code, into a struct per model class, made here from the field kinds (each kind's
``wire_type``: a timestamp is a string, a boolean a string or a JSON boolean). That checks every
field's JSON type, that required fields are there and that no key is unknown, and picks the
event class by ``eventType`` (a tagged union). The class's struct reader (``_reader``, from the
same kinds' statements as its dict reader) then makes the event from the struct's attributes.

What msgspec does not take (a key this version does not model, an ``eventType`` it does not
know, a value of another JSON type, anything not JSON), and what the struct reader refuses,
goes to the dict reader and the converter as before: the event is the same either way, which
property tests pin. A class with a field under a second wire key is left out: its dict reader
reads either key.

msgspec is imported, and the structs are made, on the first raw body parsed; an install
without it never gets here.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeAlias, Union, cast

from ._events import EVENT_CLASSES
from ._kinds import field_kinds
from ._naming import EVENT_TYPE, aliases
from ._reader import Reader, Refused, make_struct_reader

if TYPE_CHECKING:
    import msgspec

#: Reads a raw body into an event, or raises one of `_reader.DECLINED`.
RawReader: TypeAlias = Callable[[Any], Any]

# The event classes one decoder reads, each picked by its eventType: all but those with a field
# under a second wire key. An event class with a second eventType is read under its first.
_Structs: TypeAlias = dict[type[Any], "type[msgspec.Struct] | None"]


def _raw_reader(cls: type[Any] | None) -> RawReader | None:
    """Give the raw-body reader for an event class, or for any event (``None``).

    ``None`` if msgspec is not installed, or the class is left out (see the module's docs).
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
    """Give each event struct, with its event class and struct reader."""
    structs: _Structs = {}
    found: dict[type[Any], tuple[type[Any], Reader]] = {}
    for cls in dict.fromkeys(EVENT_CLASSES.values()):
        struct = _struct(cls, structs)
        if struct is not None:
            found[struct] = (cls, make_struct_reader(cls))
    return found


def _struct(cls: type[Any], structs: _Structs) -> "type[msgspec.Struct] | None":
    """Make the struct of a model class (its nested ones first), or ``None`` to leave it out."""
    import msgspec  # noqa: PLC0415 -- imported already by _decoding

    if cls in structs:
        return structs[cls]
    structs[cls] = None  # left out until made (no model class holds itself)
    if aliases(cls):
        return None
    fields: list[tuple[str, Any] | tuple[str, Any, None]] = []
    for wire_field in field_kinds(cls):
        kind = wire_field.kind
        wire: Any = kind.wire_type if kind.model is None else _struct(kind.model, structs)
        if wire is None:
            return None  # a nested class left out
        name = wire_field.field.name
        # An optional field may be null or absent: either is None, as for the dict reader.
        fields.append((name, wire | None, None) if wire_field.optional else (name, wire))
    event_type: str | None = getattr(cls, "event_type", None)
    struct = msgspec.defstruct(
        cls.__name__,
        fields,
        module=__name__,
        kw_only=True,
        forbid_unknown_fields=True,
        rename={field.name: key for field, key, _annotation, _kind in field_kinds(cls)},
        tag_field=EVENT_TYPE if event_type else None,
        tag=event_type,
        # Decoded, read and dropped: never in a cycle, so the collector need not track them.
        gc=False,
    )
    structs[cls] = struct
    return struct
