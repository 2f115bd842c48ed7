"""The fast path of `parse_event`: one generated function per model class.

cattrs' generated hooks call a Python function per field and then the class's ``__init__``,
which runs the attrs converters and validators again. For a valid body in Bandwidth's format
that is most of the cost of parsing. A reader does the same job in one function: it checks
each field's JSON type inline, reads Bandwidth's timestamp and duration shapes inline (anything
else through the readers the converter uses), reads nested objects with their own readers, and
sets the slots of a new instance directly (filled in as an unfrozen twin of its class, see
`unfrozen_twin`), since every value it sets is already what the converters and validators
would make of it (UTC datetimes, non-negative durations, enum members, read-only unknown
fields). Each field's statements come from its kind (``_kinds``).

With the ``fast`` extra, each class also has a struct reader (``_structs``): the same statements,
reading the attributes of the struct msgspec decoded the body into, less the JSON-type checks
msgspec has made (each kind keeps those apart, as ``checks``). A nested object's struct is read
inline there, by its class's statements with locals of their own (a call costs about as much
as reading a field); a nested object whose keys vary is a ``dict``, read by its class's dict
reader.

A reader accepts less than the converter (exact ``dict``/``list``/``str``/``int`` types, no
subclasses) and never explains: on anything unexpected it raises one of `DECLINED`, and
`parse_event` reads the body again with the converter's detailed validation, which accepts what
it should and names every bad field. Any other exception is a bug here and is let through.
Property tests pin a reader to the converter: same event, or the reader refuses.

The generated source is registered in `linecache` under a file name of its own, as attrs does
for its generated methods, so tracebacks, debuggers and `inspect.getsource` show it.
"""

import linecache
from collections.abc import Callable, Mapping
from functools import cache
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Final, NamedTuple, TypeAlias, cast

import attrs

from ._json import EMPTY_OBJECT, PLAIN_VALUES, frozen_object, holds_containers, may_be_inexact
from ._kinds import (
    FieldKind,
    Kind,
    field_kinds,
    fill_in,
    groups_together,
    struct_model,
    values_together,
)
from ._naming import EVENT_TYPE, EXTRA_FIELDS, WIRE_SPELLING, aliases, wire_keys

Reader: TypeAlias = Callable[[Mapping[str, object]], Any]


class Refused(Exception):  # noqa: N818 -- never seen outside: parse_event falls back
    """The reader does not take this body; the converter will say what is wrong with it."""


#: What a reader raises for a body it does not take: its own refusal, a missing key, a value of
#: the wrong type or shape. `parse_event` falls back on exactly these.
DECLINED: Final = (Refused, LookupError, TypeError, ValueError)

_NO_ALTERNATIVES: Final[frozenset[str]] = frozenset()


class _Spellings(dict[tuple[str, ...], frozenset[str]]):
    """The ``wire_spelling`` of each tuple of keys a reader met in their second spelling.

    A reader adds each such key to a tuple, then looks the set up here: a tuple is made and
    looked up in fewer instructions than a list is grown and made a set. There are only as many
    as the models' fields that are spelled two ways allow.
    """

    def __missing__(self, keys: tuple[str, ...]) -> frozenset[str]:
        spelling = self[keys] = frozenset(keys)
        return spelling


_SPELLINGS: Final = _Spellings()


def _spelled(key: str, alternatives: str = "alternatives") -> str:
    """Give the statement by which a reader notes a key it met in its second spelling."""
    return f"{alternatives} += ({key!r},)"


#: A key the body left out: what a reader's ``o.get`` gives, and a struct's default for a key
#: with a second spelling (``None`` would hide a ``null``, which the converter refuses there).
ABSENT: Final = object()


def second_key_attribute(name: str) -> str:
    """Give the struct attribute of a field's second wire key (see `aliases`)."""
    return f"{name}__second_key"


class _Scope(NamedTuple):
    """The names statements that read one object use: its locals, and its namespace prefix.

    A reader's own class (depth 0) reads ``o`` into ``self``. A nested object's struct read
    inline, in its parent's reader (see `_inline`), has locals of its own, numbered by depth
    (``o1`` into ``self1``), and its names in the namespace under its field's prefix.
    """

    depth: int
    prefix: str

    @property
    def obj(self) -> str:
        """The local that holds the object read."""
        return f"o{self.depth or ''}"

    @property
    def instance(self) -> str:
        """The local that holds the instance filled in."""
        return f"self{self.depth or ''}"

    @property
    def alternatives(self) -> str:
        """The local that holds the keys met in their second spelling (see `_spelled`)."""
        return f"alternatives{self.depth or ''}"

    def checked(self, group: int) -> str:
        """The local that tells whether a group of fields passed their kind's check together."""
        return f"checked{self.depth or ''}_{group}"

    def nested(self, prefix: str) -> "_Scope":
        """Give the scope of a nested object whose names go under ``prefix``."""
        return _Scope(self.depth + 1, prefix)


_TOP: Final = _Scope(0, "_")


def _generate(cls: type[Any], struct: bool) -> Reader:  # noqa: FBT001 -- cached by position
    """Give the reader of one model class, generated (see the module's docs).

    It reads a decoded ``dict``, or with ``struct`` the class's msgspec struct (``_structs``),
    whose attributes hold the body's values already checked for their JSON types, with no key
    unknown, except in a nested object whose keys vary: a ``dict`` there, for its dict reader.
    A field with a second wire key has an attribute for each key, `ABSENT` for the key that
    did not come. A nested object's own struct is read inline, with no call.

    A dict reader of an event refuses a body whose ``eventType`` is not the class's; the
    body's shape (a ``dict``) is the caller's to check, and a nested object's reader checks its
    own. A struct reader leaves both to the decoder, but for a nested ``dict``.

    Raises:
        TypeError: A field's type has no kind, or two names clash in the generated code (a
            programming error, found at import).
    """
    namespace: dict[str, Any] = {
        "_Refused": Refused,
        "_absent": ABSENT,
        "_modelled": wire_keys(cls),
        "_extra": _extra_fields,
        "_empty": EMPTY_OBJECT,
        "_no_alternatives": _NO_ALTERNATIVES,
        "_spellings": _SPELLINGS,
    }
    body = _reading(cls, _TOP, namespace, struct)
    lines = ["def read(o):", *("    " + line for line in body), f"    return {_TOP.instance}"]
    source = "\n".join(lines)
    what = "struct reader" if struct else "reader"
    filename = f"<bandwidth_events {what} {cls.__module__}.{cls.__qualname__}>"
    reader: Reader = register_source(filename, source + "\n", namespace)["read"]
    return reader


def _reading(
    cls: type[Any],
    scope: _Scope,
    namespace: dict[str, Any],
    struct: bool,  # noqa: FBT001 -- see _generate
) -> list[str]:
    """Give the statements that read the object in ``scope.obj`` into ``scope.instance``.

    A dict reader reads its own class only (``o``, `_TOP`): its nested objects have readers of
    their own. A struct reader reads its nested objects' structs too (see `_inline`).
    """
    alias_of = aliases(cls)
    spelled = any(field.name == WIRE_SPELLING for field in attrs.fields(cls))
    body: list[str] = []
    if not struct:
        body += _check_event_type(cls)
        # The body's unknown fields: its keys beyond the modelled ones, once each absent
        # modelled key is added back (required keys are all there, or the reader raised).
        body.append(f"unknown = len(o) - {len(wire_keys(cls))}")
    # The instance is made as its class's unfrozen twin (see `unfrozen_twin`), whose slots
    # are set as plain attributes, then becomes an instance of the class itself.
    _bind(namespace, scope.prefix + "twin", unfrozen_twin(cls))
    _bind(namespace, scope.prefix + "cls", cls)
    self = scope.instance
    body.append(f"{self} = {scope.prefix}twin()")
    fields = field_kinds(cls)
    if struct:
        checks, fields = _together(fields, alias_of, namespace, scope)
        body += checks
    for wire_field in fields:
        *lines, last = _field(wire_field, alias_of, namespace, struct, scope)
        slot = f"{self}.{wire_field.field.name}"
        # A last statement that sets ``v`` (not indented: on every path) sets the slot itself.
        if last.startswith("v = "):
            body += [*lines, f"{slot} = {last.removeprefix('v = ')}"]
        else:
            body += [*lines, last, f"{slot} = v"]
    extra = "_empty" if struct else "_extra(o, _modelled) if unknown else _empty"
    body.append(f"{self}.{EXTRA_FIELDS} = {extra}")
    met = scope.alternatives
    if spelled:
        body.append(f"{self}.{WIRE_SPELLING} = _spellings[{met}] if {met} else _no_alternatives")
        body.insert(0, f"{met} = ()")
    elif any(f"{met} +=" in line for line in body):
        raise TypeError(f"{cls.__name__} has fields spelled two ways but no {WIRE_SPELLING} field")
    body.append(f"{self}.__class__ = {scope.prefix}cls")
    return body


#: The fewest fields of a kind a struct reader checks together: the check of a group costs
#: about what three single checks do. Measured on timestamps (callgrind, parsing with the class
#: known): four, all there, took 1,200 instructions fewer (realTimeTranscriptionStopped); five,
#: two absent, 370 more (disconnect); two, one absent, 1,700 more than the one check. A dict
#: reader checks each alone: it would look each value up twice, which costs more than the group
#: saves (answer-3: 880 instructions more, disconnect 1,500).
READ_TOGETHER_FROM: Final = 3


def _together(
    fields: tuple[FieldKind, ...],
    alias_of: Mapping[str, str],
    namespace: dict[str, Any],
    scope: _Scope,
) -> tuple[list[str], tuple[FieldKind, ...]]:
    """Give a struct reader's statements checking fields of one kind at once, and its fields.

    Where the kind can, and the model has `READ_TOGETHER_FROM` such fields or more (each with
    one wire key): one tuple per kind, of its fields' wire values in the class's order (an
    absent or ``null`` optional one's as the kind's stand-in, written), checked by the kind's
    ``reader_together`` statements into a local named by the group (`_Scope.checked`). Each
    of those fields is read by its kind's ``reader_checked`` statements if that local is true,
    and by its usual ones if not. The writer's twin (``_writer._together``).
    """
    read: list[FieldKind] = list(fields)
    body: list[str] = []
    several = groups_together(
        fields, attrgetter("reader_together"), READ_TOGETHER_FROM, leave_out=alias_of
    )
    for group, indexes in enumerate(several):
        first = fields[indexes[0]]
        kind, prefix = first.kind, f"{scope.prefix}{first.field.name}_together_"
        for name, value in kind.names.items():
            _bind(namespace, prefix + name, value)
        _bind(namespace, prefix + "absent", cast("Callable[[Any], Any]", kind.write)(kind.stand_in))
        checked = scope.checked(group)
        for index in indexes:
            read[index] = fields[index]._replace(kind=_behind(fields[index].kind, checked))
        body += [
            values_together(fields, indexes, scope.obj, prefix + "absent"),
            *fill_in(kind.reader_together, prefix, count=len(indexes)),
            f"{checked} = t",
        ]
    return body, tuple(read)


def _behind(kind: Kind, checked: str) -> Kind:
    """Give a kind whose statements read a value its group passed (`_together`) the short way."""
    return attrs.evolve(
        kind,
        reader=(
            f"if {checked}:",
            *("    " + line for line in kind.reader_checked),
            "else:",
            *("    " + line for line in kind.reader),
        ),
    )


def _bind(namespace: dict[str, Any], name: str, value: object) -> None:
    """Put a name in a reader's namespace, unless it names something else there already.

    Raises:
        TypeError: The name is taken (two fields' prefixes met, a programming error).
    """
    if namespace.setdefault(name, value) is not value:
        raise TypeError(f"{name} names two things in one generated reader")


# Each class's reader is generated once, on first use. (The casts: mypy counts no class as
# Hashable.)
_generate_cached: Final = cast("Callable[[type[Any], bool], Reader]", cache(_generate))


def make_reader(cls: type[Any]) -> Reader:
    """Give the reader of a model class's decoded bodies (see `_generate`)."""
    return _generate_cached(cls, False)  # noqa: FBT003 -- see _generate


def make_struct_reader(cls: type[Any]) -> Reader:
    """Give the reader of a model class's msgspec structs (see `_generate`)."""
    return _generate_cached(cls, True)  # noqa: FBT003 -- see _generate


def _unfrozen_twin(cls: type[Any]) -> type[Any]:
    """Give a class with the slots of a frozen model class, whose instances can be filled in.

    A reader sets every slot of a new instance. Through the frozen class each would be a call
    of its slot descriptor's ``__set__`` (a tuple of arguments made and unpacked each time);
    on the twin it is a plain attribute assignment, which the interpreter does inline. The
    twin has the same base and the same slots, so it has the same layout, and assigning
    ``__class__`` turns a filled-in instance into one of the class itself: the reader does so
    before giving it back, and no instance of the twin is seen outside it.
    """
    namespace = {
        "__slots__": cls.__dict__["__slots__"],
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}.<unfrozen twin>",
        # Both, or the interpreter dispatches to the frozen class's __delattr__ by name.
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        # Made by a call of the twin, with no arguments: object's own __init__, which the
        # interpreter calls directly, where object.__new__(twin) would be a call through
        # a wrapper that checks its argument.
        "__init__": object.__init__,
    }
    return type(cls.__name__, cls.__bases__, namespace)


#: `_unfrozen_twin` memoised: one twin per class. (The cast: mypy counts no class as Hashable.)
unfrozen_twin: Final = cast("Callable[[type[Any]], type[Any]]", cache(_unfrozen_twin))


def _check_event_type(cls: type[Any]) -> list[str]:
    """Give the statements that refuse a body of another event, or a nested object not a dict."""
    event_type: str | None = getattr(cls, "event_type", None)
    if event_type is None:
        return ["if o.__class__ is not dict: raise _Refused"]
    others: tuple[str, ...] = cls.event_type_aliases
    lines = [f"t = o[{EVENT_TYPE!r}]", f"if t != {event_type!r}:"]
    if not others:
        return [*lines, "    raise _Refused"]
    return [
        *lines,
        f"    if t in {others!r}: {_spelled(EVENT_TYPE)}",
        "    else: raise _Refused",
    ]


def register_source(filename: str, source: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run generated source in ``namespace``, given back; linecache shows it as ``filename``."""
    # As attrs does: the source outlives the module's own cache checks (no mtime to compare).
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 -- our source, from the class's fields
    return namespace


def _field(
    wire_field: FieldKind,
    alias_of: Mapping[str, str],
    namespace: dict[str, Any],
    struct: bool,  # noqa: FBT001 -- see _generate
    scope: _Scope,
) -> list[str]:
    """Give the statements that read one field's wire value into ``v``, or refuse."""
    name, key, kind = wire_field.field.name, wire_field.key, wire_field.kind
    prefix, o = f"{scope.prefix}{name}_", scope.obj
    convert = _statements(kind, prefix, namespace, struct, scope)
    if kind.alternative is not None:
        _bind(namespace, f"{prefix}alternative", kind.alternative)
        convert = [f"if {prefix}alternative(v): {_spelled(key, scope.alternatives)}", *convert]
    alias = alias_of.get(key)
    if alias is not None:
        if wire_field.optional:
            raise TypeError(f"{key} is optional and has a second wire key: not supported yet")
        if struct:
            return _fetch_either_attribute(name, key, scope) + convert
        return _fetch_either(key, alias) + convert
    if struct:
        if not wire_field.optional or not convert:
            return [f"v = {o}.{name}", *convert]
        return [f"v = {o}.{name}", "if v is not None:", *("    " + line for line in convert)]
    if not wire_field.optional:
        return [f"v = o[{key!r}]", *convert]
    # Absent or a value: one test each way.
    return [
        f"v = o.get({key!r}, _absent)",
        "if v is _absent:",
        "    v = None",
        "    unknown += 1",
        "elif v is not None:",
        *("    " + line for line in convert),
    ]


def _fetch_either(key: str, alias: str) -> list[str]:
    """Give the statements that put the value of a required key, or of its alias, in ``v``.

    Of the two keys, one is absent (``unknown`` counts it); both is refused. (Only a dict
    reader's own class is read so: its nested objects have their own readers.)
    """
    return [
        f"v = o.get({key!r}, _absent)",
        "unknown += 1",
        "if v is _absent:",
        f"    v = o[{alias!r}]",
        f"    {_spelled(key)}",
        f"elif {alias!r} in o: raise _Refused",
    ]


def _fetch_either_attribute(name: str, key: str, scope: _Scope) -> list[str]:
    """Give `_fetch_either`'s statements for a struct, which has an attribute per key."""
    second, o = second_key_attribute(name), scope.obj
    return [
        f"v = {o}.{name}",
        "if v is _absent:",
        f"    v = {o}.{second}",
        "    if v is _absent: raise _Refused",
        f"    {_spelled(key, scope.alternatives)}",
        f"elif {o}.{second} is not _absent: raise _Refused",
    ]


def _statements(
    kind: Kind,
    prefix: str,
    namespace: dict[str, Any],
    struct: bool,  # noqa: FBT001 -- see _generate
    scope: _Scope,
) -> list[str]:
    """Give a kind's statements with its names put in the namespace under ``prefix``.

    A nested object decoded into its own struct is read inline (see `_inline`); one read from
    a ``dict`` by its class's own reader.
    """
    if struct and struct_model(kind) is not None:
        return _inline(cast("type[Any]", kind.model), prefix, namespace, scope)
    for name, value in kind.names.items():
        _bind(namespace, prefix + name, value)
    if kind.model is not None:
        _bind(namespace, prefix + "read", _generate_cached(kind.model, False))  # noqa: FBT003 -- see _generate
    item = (
        ()
        if kind.item is None
        else _statements(kind.item, prefix + "item_", namespace, struct, scope)
    )
    return fill_in(kind.reader if struct else kind.checks + kind.reader, prefix, item)


def _inline(model: type[Any], prefix: str, namespace: dict[str, Any], scope: _Scope) -> list[str]:
    """Give the statements that read a nested object's struct in ``v`` into ``v``, inline.

    What its own struct reader does, without the call (which costs about as many instructions
    as reading a field): its statements are its parent's, with locals of their own and names
    under the field's prefix.
    """
    inner = scope.nested(prefix)
    return [f"{inner.obj} = v", *_reading(model, inner, namespace, True), f"v = {inner.instance}"]  # noqa: FBT003 -- see _generate


def _extra_fields(body: Mapping[str, object], modelled: frozenset[str]) -> Mapping[str, object]:
    kept: dict[str, object] = {}
    plain = True
    for key, value in body.items():
        if key not in modelled:
            kept[key] = value
            if value.__class__ not in PLAIN_VALUES:
                plain = False
    # Neither kept mapping is copied: the body is the reader's own (decoded, or parse_event's
    # copy), and holds no list or object there.
    if plain:
        return MappingProxyType(kept)  # the commonest case, without walking the values twice more
    if may_be_inexact(kept):
        raise Refused  # a float that may have been a long integer: read the body exactly
    if holds_containers(kept):
        return frozen_object(kept)  # copied, which checks the nesting depth as it goes
    return MappingProxyType(kept)
