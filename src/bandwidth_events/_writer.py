"""`to_dict`'s one path: a generated function per model class that writes its wire form.

Like the readers (``_reader``), a writer does in one function what a general-purpose converter
does field by field through a function per field: it reads each attribute, writes its value the
way its kind says (``_kinds``: a timestamp in Bandwidth's shape inline, an event's several
timestamps in one call, anything else through the kind's ``write``), leaves out an optional
field that is ``None``, as Bandwidth does, writes a nested object with its own writer, and puts
back the unknown fields and the spelling each value arrived in. It is the only writer: the
cattrs converter registers it for every model class, so ``converter.unstructure(event)`` and
`to_dict` are one function, and writing an event never imports cattrs.

The generated source is registered in `linecache` as the readers' is (see ``_reader``).
"""

from collections.abc import Callable
from functools import cache
from operator import attrgetter
from typing import Any, Final, TypeAlias, cast

from ._events import UnknownEvent
from ._json import copy_object, holds_containers
from ._kinds import (
    FieldKind,
    Kind,
    field_kinds,
    fill_in,
    groups_together,
    spelled_two_ways,
    values_together,
)
from ._naming import EVENT_TYPE, EXTRA_FIELDS, WIRE_SPELLING, aliases
from ._reader import register_source

Writer: TypeAlias = Callable[[Any], dict[str, Any]]


def write_unknown(event: UnknownEvent) -> dict[str, Any]:
    """Write an event this version does not model: its body, copied."""
    return copy_object(event.payload, "")


def _generate(cls: type[Any]) -> Writer:
    """Give the writer of one model class, generated (see the module's docs).

    Raises:
        TypeError: A field's type has no kind (a programming error, found at import).
    """
    namespace: dict[str, Any] = {"_copy": copy_object, "_nested": holds_containers}
    event_type: str | None = getattr(cls, "event_type", None)
    # The wire keys in the class's order: the leading required ones in one dict display, each
    # value worked out first (those of a kind written together, all at once); then the optional
    # ones (attrs puts every field with a default after those without), each left out when
    # None, as Bandwidth does.
    display = [f"{EVENT_TYPE!r}: {event_type!r}"] if event_type is not None else []
    rest: list[str] = []
    alias_of = aliases(cls)
    fields = field_kinds(cls)
    body, together = _together(fields, namespace)
    for index, wire_field in enumerate(fields):
        name, key = wire_field.field.name, wire_field.key
        if key in alias_of:  # under the key it arrived in, in its place
            alias = alias_of[key]
            key_of = f"({alias!r} if {key!r} in o.{WIRE_SPELLING} else {key!r})"
        else:
            key_of = repr(key)
        written = together.get(index)  # the local it is written in already, if it is
        convert = [] if written else _statements(wire_field.kind, f"_{name}_", namespace)
        if wire_field.field.default is not None and not rest:
            if convert:
                body += [f"v = o.{name}", *convert, f"v{index} = v"]
                display.append(f"{key_of}: v{index}")
            else:
                display.append(f"{key_of}: {written or f'o.{name}'}")
        else:
            store = ("    " + line for line in (*convert, f"w[{key_of}] = {written or 'v'}"))
            rest += [f"v = o.{name}", "if v is not None:", *store]
    body += ["w = {" + ", ".join(display) + "}", *rest]
    # The spellings a key's own place does not write (above): a value's, or the eventType's.
    others: tuple[str, ...] = getattr(cls, "event_type_aliases", ())
    if spelled_two_ways(cls) or others:
        namespace["_respell"] = _respeller(cls)
        body.append(f"if o.{WIRE_SPELLING}: w = _respell(o, w)")
    body += [
        f"x = o.{EXTRA_FIELDS}",
        # Lists and objects copied: the caller may change the dict without changing the model.
        "if x: w.update(_copy(x, '') if _nested(x) else x)",
        "return w",
    ]
    source = "\n".join(["def write(o):", *("    " + line for line in body)]) + "\n"
    filename = f"<bandwidth_events writer {cls.__module__}.{cls.__qualname__}>"
    writer: Writer = register_source(filename, source, namespace)["write"]
    return writer


#: `_generate` memoised: each class's writer is generated once, on first use. (The cast: mypy
#: counts no class as Hashable.)
make_writer: Final = cast("Callable[[type[Any]], Writer]", cache(_generate))


def _together(
    fields: tuple[FieldKind, ...], namespace: dict[str, Any]
) -> tuple[list[str], dict[int, str]]:
    """Give the statements writing the fields of one kind at once, and where each is left.

    Where the kind can, and the model has several such fields: one tuple per kind, of its
    fields' values in the class's order (an absent optional one's as the kind's stand-in),
    written by the kind's ``writer_together`` statements. Each field's wire value is left in a
    local, named by the field's index.
    """
    body: list[str] = []
    names: dict[int, str] = {}
    # Two or more: a lone value of such a kind is written by its own statements.
    for indexes in groups_together(fields, attrgetter("writer_together"), 2):
        kind = fields[indexes[0]].kind
        prefix = f"_{fields[indexes[0]].field.name}_together_"
        namespace.update({prefix + name: value for name, value in kind.names.items()})
        namespace[prefix + "write"] = kind.write
        namespace[prefix + "absent"] = kind.stand_in
        names.update({index: f"g{index}" for index in indexes})
        body += [
            values_together(fields, indexes, "o", prefix + "absent"),
            *fill_in(kind.writer_together, prefix, count=len(indexes)),
            f"{', '.join(names[index] for index in indexes)}, = t",
        ]
    return body, names


def _statements(kind: Kind, prefix: str, namespace: dict[str, Any]) -> list[str]:
    """Give the statements that turn an attribute value ``v`` into its wire value."""
    if kind.model is not None:
        namespace[prefix + "write"] = make_writer(kind.model)
        return [f"v = {prefix}write(v)"]
    if kind.writer:
        for name, value in kind.names.items():
            namespace[prefix + name] = value
        namespace[prefix + "write"] = kind.write
        item = () if kind.item is None else _statements(kind.item, prefix + "item_", namespace)
        return fill_in(kind.writer, prefix, item)
    if kind.write is None:
        return []  # written as it is
    namespace[prefix + "write"] = kind.write
    return [f"v = {prefix}write(v)"]


def _respeller(cls: type[Any]) -> Callable[[Any, dict[str, Any]], dict[str, Any]]:
    """Give the function that writes back each value of a model in the spelling it arrived in.

    (A key's second spelling is the writer's own: it writes the key as it arrived.)
    """
    two_ways = spelled_two_ways(cls)
    others = cast("tuple[str, ...]", getattr(cls, "event_type_aliases", ()))

    def respell(model: Any, wire: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN401 -- a model
        spelling: frozenset[str] = getattr(model, WIRE_SPELLING)
        for key in spelling:
            if key == EVENT_TYPE:
                wire[EVENT_TYPE] = others[0]
            elif key in two_ways and key in wire:
                name, _is_alternative, write_alternative = two_ways[key]
                wire[key] = write_alternative(getattr(model, name))
        return wire

    return respell
