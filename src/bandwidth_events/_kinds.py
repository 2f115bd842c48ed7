"""Field kinds: every rule for a field's type, in one table.

A kind says how values of one attribute type travel: how the converter reads one from the wire
and writes it back, the statements the generated fast readers inline for it, how an event built
in Python normalises it (the attrs converter and validator), and how tests generate it (attribute
values, and wire values as Bandwidth writes them). The converter (`_converter`), the readers
(`_reader`), the event classes (`_events`) and `bandwidth_events.testing` all derive from this
module: a new field type is one entry in `_KINDS`, or one case in `kind_of` for a generic shape.

The reader statements transform the wire value held in ``v`` into the attribute value, or raise
(``_Refused`` or any lookup, type or value error) to hand the body to the converter, which
explains. ``{p}`` in them is the prefix of the names the kind puts in the reader's namespace. A
tuple's kind has a line ``{item}`` in its loop over the items, where its item kind's statements
go, indented as it is (`fill_in`): inline, where a function per item would cost more than they
do. The writer's statements (``writer``) follow the same rules. The statements that take the
values of several fields at once (``reader_together``, ``writer_together``) have ``{n}`` for
how many.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType, NoneType, UnionType
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    NamedTuple,
    TypeAlias,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)

import attrs
import orjson

from ._durations import (
    FRACTIONS,
    WHOLE_SECONDS,
    exact_duration,
    format_duration,
    fraction_of_second,
    parse_duration,
    require_not_negative,
)
from ._errors import describe
from ._naming import wire_fields, wire_name
from ._timestamps import (
    BANDWIDTH_SKELETON,
    DIGITS_AS_ZERO,
    SHAPES,
    SKELETON_PLACES,
    ZONE_PLACE,
    format_timestamp,
    parse_timestamp,
    to_utc,
)

if TYPE_CHECKING:
    from types import ModuleType

    from hypothesis.strategies import SearchStrategy

Read: TypeAlias = Callable[[Any], Any]
Write: TypeAlias = Callable[[Any], Any]
#: Given ``hypothesis.strategies``, a strategy (kinds never import Hypothesis themselves).
Strategy: TypeAlias = "Callable[[ModuleType], SearchStrategy[Any]]"


@attrs.frozen
class Kind:
    """Every rule for one attribute type (see the module's docs).

    Attributes:
        read: Wire value to attribute value, for the converter; raises ``TypeError`` or
            ``ValueError`` saying what was wrong and what was received. ``None`` for a nested
            class, which the converter reads with that class's own hook.
        write: Attribute value to wire value; ``None`` writes it as it is (or, for a nested
            class, through that class's own hook).
        reader: The fast reader's statements (see the module's docs).
        checks: The statements that refuse a wire value of another JSON type than
            ``wire_type``, run before ``reader``'s by a reader of decoded JSON; a reader of
            values a decoder has checked already (``_structs``) leaves them out.
        names: The objects those statements use, each named ``{p}`` plus its key.
        writer: The generated writer's statements (``_writer``) turning the attribute value
            in ``v`` into its wire value, faster than ``write`` (which they may call as
            ``{p}write``); none: ``write`` is called.
        writer_together: The generated writer's statements writing the values of a model's
            fields of this kind at once, when it has several, faster than one by one. They
            turn the tuple ``t`` of the attribute values into a sequence of their wire values,
            in the same order (and may use ``s``); an optional field that is ``None`` is in
            ``t`` as ``stand_in``, and what they write for it is left out.
        stand_in: A value of the kind, in ``writer_together``'s tuple in place of ``None``.
        reader_together: The struct reader's statements checking the wire values of a
            model's fields of this kind at once, when it has several
            (``_reader.READ_TOGETHER_FROM``), faster than one by one. Given the tuple ``t`` of
            them (an optional field's that is absent or ``null`` as ``stand_in``'s wire value),
            they set ``t`` true only if ``reader_checked`` may read each; if not, each is read
            by ``reader``, as it would be alone.
        reader_checked: The struct reader's statements for a value ``reader_together`` passed.
        convert: The attrs converter of such fields, for events built in Python.
        validate: The attrs validator of such fields.
        values: Attribute values any event may hold, for tests.
        wire: Wire values as Bandwidth writes them, each of which reads back and writes
            out unchanged, for tests.
        model: The nested class of a nested object's kind.
        item: The kind of each item, for a tuple.
        alternative: For a value with two wire spellings: whether a wire value has the
            alternative one, which `write_alternative` writes back.
        write_alternative: Writes a value in its alternative spelling.
        from_text: The wire value of a query parameter's text, for callbacks Bandwidth sends
            with ``GET`` (``"1"`` is the integer 1); ``None``: the text itself. What it cannot
            read it gives back as the text, for the converter to refuse by name.
        wire_type: The type of the JSON value that holds it on the wire (``str`` for a
            timestamp; ``null`` aside, for an optional one), for a decoder that checks types as
            it decodes (``_structs``). For a nested class, ``None``: its own struct; or
            ``dict`` if its keys vary, for its dict reader (see `struct_model`).
    """

    read: Read | None
    write: Write | None
    reader: tuple[str, ...]
    values: Strategy
    wire: Strategy
    names: Mapping[str, object] = attrs.field(factory=dict[str, object])
    writer: tuple[str, ...] = ()
    writer_together: tuple[str, ...] = ()
    stand_in: object = None
    reader_together: tuple[str, ...] = ()
    reader_checked: tuple[str, ...] = ()
    convert: Callable[[Any], Any] | None = None
    validate: Callable[[Any, Any, Any], None] | None = None
    model: type | None = None
    item: "Kind | None" = None
    alternative: Callable[[object], bool] | None = None
    write_alternative: Write | None = None
    from_text: Callable[[str], object] | None = None
    checks: tuple[str, ...] = ()
    wire_type: object = None


def _read_str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, received {describe(value)}")


def _read_int(value: object) -> int:
    # type() rather than isinstance(): JSON true is not the number 1.
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, received {describe(value)}")


def _read_number(value: object) -> float:
    # Kept as it came (1 stays the integer 1), so it is written back the same.
    if type(value) is int or (type(value) is float and value == value and abs(value) != _INF):  # noqa: PLR0124 -- NaN check
        return value
    raise TypeError(f"expected a number, received {describe(value)}")


_INF = float("inf")


def _read_text_bool(value: object) -> bool:
    if value == "true" or value is True:
        return True
    if value == "false" or value is False:
        return False
    raise TypeError(f'expected "true" or "false", received {describe(value)}')


def _read_str_map(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of strings, received {describe(value)}")
    strings: dict[str, str] = {}
    for key, item in cast("Mapping[object, object]", value).items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"expected string values, received {describe(item)} at {key!r}")
        strings[key] = item
    return MappingProxyType(strings)


def _freeze_str_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return value if isinstance(value, MappingProxyType) else MappingProxyType(dict(value))


# Beyond any integer a field holds, but short of what would make int() slow or refuse.
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,40}")


def _integer_from_text(text: str) -> object:
    return int(text) if _INTEGER_TEXT.fullmatch(text) else text


def _number_from_text(text: str) -> object:
    number = _json_from_text(text)
    return number if type(number) in (int, float) else text


def _json_from_text(text: str) -> object:
    # Objects and arrays travel in a query as their JSON text (Bandwidth documents no other way).
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _is_bool(value: object) -> bool:
    return value.__class__ is bool


_REFUSE_NON_STR = "if v.__class__ is not str: raise _Refused"


def _text(st: "ModuleType") -> "SearchStrategy[Any]":
    return st.text()  # type: ignore[no-any-return]


def _aware_timestamps(st: "ModuleType") -> "SearchStrategy[Any]":
    from ._timestamps import with_nanosecond  # noqa: PLC0415 -- tests only

    moments = st.datetimes(timezones=st.just(UTC))
    return moments | st.builds(with_nanosecond, moments, st.integers(0, 999))  # type: ignore[no-any-return]


def _durations(st: "ModuleType") -> "SearchStrategy[Any]":
    from ._durations import with_nanoseconds  # noqa: PLC0415 -- tests only

    lengths = st.timedeltas(min_value=timedelta(0))
    return lengths | st.builds(with_nanoseconds, lengths, st.integers(0, 999))  # type: ignore[no-any-return]


def _wire_timestamps(_st: "ModuleType") -> "SearchStrategy[Any]":
    from ._strategies import wire_timestamps  # noqa: PLC0415 -- tests only

    return wire_timestamps()


def _wire_durations(_st: "ModuleType") -> "SearchStrategy[Any]":
    from ._strategies import wire_durations  # noqa: PLC0415 -- tests only

    return wire_durations()


# The types with a rule of their own. Generic shapes (optional, open enum, tuple, nested class)
# are built by kind_of from the kinds of their parts.
_KINDS: Final[Mapping[object, Kind]] = {
    str: Kind(_read_str, None, (), _text, _text, checks=(_REFUSE_NON_STR,), wire_type=str),
    int: Kind(
        _read_int,
        None,
        (),
        lambda st: st.integers(-(2**63), 2**64 - 1),
        lambda st: st.integers(0, 2**31 - 1),
        from_text=_integer_from_text,
        checks=("if v.__class__ is not int: raise _Refused",),
        wire_type=int,
    ),
    float: Kind(
        _read_number,
        None,
        ("v = {p}read(v)",),
        lambda st: st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53),
        lambda st: st.floats(0, 1) | st.integers(0, 1),
        names={"read": _read_number},
        from_text=_number_from_text,
        wire_type=int | float,
    ),
    # Bandwidth writes its booleans as the strings "true" and "false": that is the spelling
    # written by default, and a JSON boolean is the alternative one, kept when received.
    bool: Kind(
        _read_text_bool,
        lambda value: "true" if value else "false",
        ("v = {p}read(v)",),
        lambda st: st.booleans(),
        lambda st: st.sampled_from(["true", "false"]) | st.booleans(),
        names={"read": _read_text_bool},
        writer=("v = 'true' if v else 'false'",),
        alternative=_is_bool,
        write_alternative=bool,
        wire_type=str | bool,
    ),
    # Bandwidth's shape inline (see _timestamps), anything else through the full reader. A value
    # that is not a string fails the shape check or raises: refused.
    datetime: Kind(
        parse_timestamp,
        format_timestamp,
        (
            (
                f"if v[{{p}}skeleton] == {BANDWIDTH_SKELETON!r} and v[{{p}}zone] == 'Z':"
                " v = {p}iso(v)"
            ),
            "else: v = {p}read(v)",
        ),
        _aware_timestamps,
        _wire_timestamps,
        names={
            "skeleton": SKELETON_PLACES,
            "zone": ZONE_PLACE,
            "digits": DIGITS_AS_ZERO,
            "shapes": SHAPES,
            "iso": datetime.fromisoformat,
            "read": parse_timestamp,
            "dumps": orjson.dumps,
            "utc_z": orjson.OPT_UTC_Z,
        },
        # As format_timestamp writes one, with orjson, when it is in whole milliseconds, the
        # shape of nearly every value: its text "…" ends in 000Z" only then (a fraction, its
        # last three digits zero, in UTC), and a JSON string holds no other unescaped ". Any
        # other (no fraction, finer, an offset, a subclass such as PreciseTimestamp, which
        # orjson refuses): format_timestamp. A model's several timestamps in one orjson call.
        writer=(
            "try: s = {p}dumps(v, None, {p}utc_z)",
            "except TypeError: s = b''",
            "v = s[1:24].decode() + 'Z' if s[24:] == b'000Z\"' else {p}write(v)",
        ),
        writer_together=(
            "try: s = {p}dumps(t, None, {p}utc_z)",
            "except TypeError: s = b''",
            "if s.count(b'000Z\"') == {n}:",
            "    t = s.replace(b'000Z\"', b'Z\"').decode()[2:-2].split('\",\"')",
            "else: t = [{p}write(v) for v in t]",
        ),
        stand_in=datetime(2000, 1, 1, microsecond=1000, tzinfo=UTC),
        # A model's several timestamps, each in Bandwidth's shape (see _timestamps.SHAPES).
        reader_together=("t = ','.join(t).encode().translate({p}digits) == {p}shapes[{n}]",),
        reader_checked=("v = {p}iso(v)",),
        convert=to_utc,
        wire_type=str,
    ),
    # Seconds with a fraction inline (see _durations), anything else through the full reader.
    timedelta: Kind(
        parse_duration,
        format_duration,
        (
            "head, point, tail = v.partition('.')",
            "whole = {p}whole[head]",
            "fraction = {p}fractions.get(tail)",
            "if whole is not None and fraction is not None: v = whole + fraction",
            "else:",
            "    digits = tail.removesuffix('S')",
            (
                "    if whole is None or tail[-1] != 'S' or not digits.isdigit()"
                " or not digits.isascii() or len(digits) > 9: v = {p}read(v)"
            ),
            "    elif len(digits) < 4: v = whole + {p}fraction(tail, digits)",
            "    else: v = {p}exact(whole.seconds, digits)",
        ),
        _durations,
        _wire_durations,
        names={
            "whole": WHOLE_SECONDS,
            "fractions": FRACTIONS,
            "read": parse_duration,
            "fraction": fraction_of_second,
            "exact": exact_duration,
        },
        checks=(_REFUSE_NON_STR,),
        validate=require_not_negative,
        wire_type=str,
    ),
    Mapping[str, str]: Kind(
        _read_str_map,
        dict,
        ("v = {p}read(v)",),
        lambda st: st.dictionaries(st.text(), st.text(), max_size=3),
        lambda st: st.dictionaries(st.text(), st.text(), max_size=3),
        names={"read": _read_str_map},
        convert=_freeze_str_map,
        from_text=_json_from_text,
        checks=("if v.__class__ is not dict: raise _Refused",),
        wire_type=dict[str, str],
    ),
}


@cache
def kind_of(field_type: Any) -> Kind:  # noqa: ANN401 -- any annotation
    """Give the kind of an attribute type.

    Raises:
        TypeError: No kind fits the type (a programming error, found at import).
    """
    kind = _KINDS.get(field_type)
    if kind is not None:
        return kind
    args = get_args(field_type)
    if isinstance(field_type, UnionType):
        if NoneType in args:
            return _optional(kind_of(_union([a for a in args if a is not NoneType])))
        known, *rest = args
        if rest == [str] and isinstance(known, type) and issubclass(known, StrEnum):
            return _open_enum(known)
    elif get_origin(field_type) is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004
        return _tuple_of(kind_of(args[0]))
    elif isinstance(field_type, type) and attrs.has(field_type):
        return _nested(field_type)
    raise TypeError(f"no field kind for {field_type!r}")


def _union(members: list[Any]) -> Any:  # noqa: ANN401 -- a type
    union = members[0]
    for member in members[1:]:
        union |= member
    return union


def is_optional(field_type: Any) -> bool:  # noqa: ANN401 -- any annotation
    """Tell whether an attribute type allows ``None`` (the field may be absent on the wire)."""
    return isinstance(field_type, UnionType) and NoneType in get_args(field_type)


def _optional(inner: Kind) -> Kind:
    # The reader generator fetches an optional value itself (absent or null is None) and runs
    # the inner kind's statements on anything else.
    def values(st: "ModuleType") -> "SearchStrategy[Any]":
        strategy: SearchStrategy[Any] = st.none() | inner.values(st)
        return strategy

    return attrs.evolve(
        inner,
        read=None if inner.read is None else _optional_read(inner.read),
        values=values,
        convert=None if inner.convert is None else _optional_convert(inner.convert),
        validate=None if inner.validate is None else attrs.validators.optional(inner.validate),
    )


def _optional_read(read: Read) -> Read:
    def read_optional(value: object) -> object:
        return None if value is None else read(value)

    return read_optional


def _optional_convert(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert_optional(value: object) -> object:
        return None if value is None else convert(value)

    return convert_optional


def _open_enum(members: type[StrEnum]) -> Kind:
    """Any string is accepted; the values this version knows become members (see _enums)."""
    by_value: dict[str, StrEnum] = {member.value: member for member in members}
    known = [member.value for member in members]
    # A member (or its value) gives its plain value; another string is written through str.
    plain = {value: value for value in known}

    def convert(value: str) -> StrEnum | str:
        return by_value.get(value, value)

    return Kind(
        _read_str,
        str,  # a member as its value; other strings as they are
        ("v = {p}members.get(v, v)",),
        lambda st: st.sampled_from(list(members)) | st.sampled_from(known) | st.text(),
        lambda st: st.sampled_from(known) | st.text(),
        names={"members": by_value, "plain": plain},
        writer=("v = {p}plain.get(v) or {p}write(v)",),
        convert=convert,
        checks=(_REFUSE_NON_STR,),
        wire_type=str,
    )


#: A line of a tuple kind's statements where its item kind's go (see the module's docs).
_ITEM: Final = "{item}"
# Each item of ``v`` through the item kind's statements, into the list ``{p}items``. (A
# comprehension would make a function and call it, as would a function per item.)
_EACH_ITEM: Final = ("{p}items = []", "for v in v:", f"    {_ITEM}", "    {p}items.append(v)")


def fill_in(
    lines: Iterable[str], prefix: str, item: Iterable[str] = (), count: int = 1
) -> list[str]:
    """Give a kind's statements with ``{p}`` put as ``prefix``, and its item kind's in place.

    ``item`` is what a line ``{item}`` stands for (see the module's docs), each statement
    indented as that line is. ``{n}`` is put as ``count``: in the statements that take the
    values of several fields at once, how many there are.
    """
    filled: list[str] = []
    for line in lines:
        code = line.lstrip()
        if code == _ITEM:
            filled += [line[: len(line) - len(code)] + each for each in item]
        else:
            filled.append(line.format(p=prefix, n=count))
    return filled


def _tuple_of(item: Kind) -> Kind:
    """A JSON array, held as a tuple; each item follows its own kind."""
    read_item = item.read
    write_item = item.write
    convert_item = item.convert
    if read_item is None:
        raise TypeError("no field kind for a tuple of nested objects (none is modelled yet)")

    def read(value: object) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected an array, received {describe(value)}")
        items: list[object] = []
        for index, each in enumerate(cast("list[object]", value)):
            try:
                items.append(read_item(each))
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"item {index}: {exc}") from exc
        return tuple(items)

    def convert(value: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(value if convert_item is None else map(convert_item, value))

    return Kind(
        read,
        list if write_item is None else lambda value: list(map(write_item, value)),
        (*_EACH_ITEM, "v = tuple({p}items)"),
        lambda st: st.lists(item.values(st), max_size=3).map(tuple),
        lambda st: st.lists(item.wire(st), max_size=3),
        writer=() if write_item is None else (*_EACH_ITEM, "v = {p}items"),
        convert=convert,
        item=item,
        from_text=_json_from_text,
        checks=("if v.__class__ is not list: raise _Refused",),
        wire_type=list[item.wire_type],  # type: ignore[name-defined]
    )


def _nested(model: type[Any]) -> Kind:
    """A nested object: read by its class's own generated reader and converter hooks."""

    def values(_st: "ModuleType") -> "SearchStrategy[Any]":
        from ._strategies import events  # noqa: PLC0415 -- tests only

        return events(model)

    def wire(_st: "ModuleType") -> "SearchStrategy[Any]":
        from ._strategies import payloads  # noqa: PLC0415 -- tests only

        return payloads(model)

    return Kind(
        None,
        None,
        # The class's own reader checks that it was given an object (see _reader).
        ("v = {p}read(v)",),
        values,
        wire,
        model=model,
        from_text=_json_from_text,
        # Its own struct; or, for a class whose keys vary, an object for its dict reader,
        # which keeps unlisted keys where a struct would refuse them.
        wire_type=dict[str, Any] if model.keys_vary else None,
    )


def struct_model(kind: Kind) -> type | None:
    """Give the nested class whose own struct a kind's value is decoded into (``_structs``).

    ``None`` for a value that is no nested object, or one whose keys vary.
    """
    return kind.model if kind.wire_type is None else None


class FieldKind(NamedTuple):
    """One wire field of a model class: its attribute, wire key, annotation and kind."""

    field: "attrs.Attribute[Any]"
    key: str
    annotation: Any
    kind: Kind

    @property
    def optional(self) -> bool:
        """Tell whether the field may be absent (or ``null``) on the wire."""
        return is_optional(self.annotation)


def groups_together(
    fields: tuple[FieldKind, ...],
    statements: Callable[[Kind], tuple[str, ...]],
    fewest: int,
    leave_out: Iterable[str] = (),
) -> list[list[int]]:
    """Give the indexes of a model's fields whose values a kind takes at once, by kind.

    ``statements`` gives a kind's statements that take several values (``writer_together``,
    ``reader_together``); the fields of each kind that has them (a kind and its optional twin
    are one), their wire keys not in ``leave_out``, where there are ``fewest`` or more.
    """
    left_out = frozenset(leave_out)
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, wire_field in enumerate(fields):
        taken = statements(wire_field.kind)
        if taken and wire_field.key not in left_out:
            groups.setdefault((taken, wire_field.kind.write), []).append(index)
    return [indexes for indexes in groups.values() if len(indexes) >= fewest]


def values_together(
    fields: tuple[FieldKind, ...], indexes: list[int], obj: str, absent: str
) -> str:
    """Give the statement putting the values of these fields of ``obj`` in the tuple ``t``.

    An optional field's value that is ``None`` as ``absent`` (the kind's stand-in).
    """
    values: list[str] = []
    for index in indexes:
        value = f"{obj}.{fields[index].field.name}"
        if fields[index].optional:
            value = f"({absent} if {value} is None else {value})"
        values.append(value)
    return f"t = ({', '.join(values)},)"


# Per class (a dict, not functools.cache: mypy types a cached function as taking Hashable).
_FIELD_KINDS: dict[type, tuple[FieldKind, ...]] = {}


def field_kinds(cls: type) -> tuple[FieldKind, ...]:
    """Give each wire field of a model class, in order, with its kind.

    What every consumer of the kinds (converter, readers, query form, strategies, docs) walks.
    """
    found = _FIELD_KINDS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _FIELD_KINDS[cls] = tuple(
            FieldKind(a, wire_name(a.name), hints[a.name], kind_of(hints[a.name]))
            for a in wire_fields(cls)
        )
    return found


#: Per field with two wire spellings: its wire key, and its attribute, whether a wire value has
#: the alternative spelling, and how to write a value in it.
TwoWays: TypeAlias = dict[str, tuple[str, Callable[[object], bool], Write]]


def spelled_two_ways(cls: type) -> TwoWays:
    """Give the fields of a model class whose value has two wire spellings (see `TwoWays`)."""
    return {
        key: (field.name, kind.alternative, kind.write_alternative)
        for field, key, _annotation, kind in field_kinds(cls)
        if kind.alternative is not None and kind.write_alternative is not None
    }
