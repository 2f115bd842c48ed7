"""The msgspec peers, written for the comparison: the 29 events as msgspec Structs.

Built from the peers' table (`peer_table`): msgspec's default types, open enums as plain strings
(it has no such union), string booleans as strings; camelCase keys, frozen, dispatch on
``eventType`` (one tag per Struct: ``recordComplete``'s second ``eventType`` is not read). It
drops unknown keys, having no place for them, keeps no nanoseconds, and declares both keys of a
field with two spellings optional, having no choice of keys.
"""

import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any, get_args, get_origin

import msgspec
from peer_table import ALIASES, EVENTS, OBJECTS, Fields, class_name, open_enum, split

# --- msgspec -----------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")  # from_ is the wire's from
    return head + "".join(part.capitalize() for part in rest)


class _MsgspecObject(msgspec.Struct, frozen=True, kw_only=True, rename=_camel):
    """A nested object."""


class _MsgspecEvent(_MsgspecObject, tag_field="eventType"):
    """An event, tagged by its ``eventType``."""


def _msgspec_type(annotation: Any, structs: Mapping[type, type]) -> Any:  # noqa: ANN401 -- any annotation
    inner, optional = split(annotation)
    if open_enum(inner) is not None:
        mapped: Any = str
    elif inner is bool:
        mapped = str | bool  # Bandwidth sends "true" and "false"
    elif get_origin(inner) is tuple:
        mapped = tuple[_msgspec_type(get_args(inner)[0], structs), ...]  # type: ignore[misc]
    else:
        mapped = structs.get(inner, inner)
    return mapped | None if optional else mapped


def _msgspec_fields(fields: Fields, structs: Mapping[type, type]) -> list[tuple[Any, ...]]:
    made: list[tuple[Any, ...]] = []
    for name, annotation in fields.items():
        kind = _msgspec_type(annotation, structs)
        if name in ALIASES:  # either key may come: both optional
            made += [(name, kind | None, None), (ALIASES[name], kind | None, None)]
        else:
            made.append((name, kind, None) if split(annotation)[1] else (name, kind))
    return made


def _msgspec_structs() -> dict[str, type]:
    structs: dict[type, type] = {}
    for cls, fields in OBJECTS.items():
        structs[cls] = msgspec.defstruct(
            f"Msgspec{cls.__name__}",
            _msgspec_fields(fields, structs),
            bases=(_MsgspecObject,),
            kw_only=True,
        )
    # One tag per Struct: recordComplete's second eventType is not read.
    return {
        event_type: msgspec.defstruct(
            f"Msgspec{class_name(event_type)}",
            _msgspec_fields(fields, structs),
            bases=(_MsgspecEvent,),
            kw_only=True,
            tag=event_type,
        )
        for event_type, fields in EVENTS.items()
    }


MSGSPEC_CLASSES = _msgspec_structs()
MSGSPEC_DECODER = msgspec.json.Decoder(reduce(operator.or_, MSGSPEC_CLASSES.values()))
MSGSPEC_ENCODER = msgspec.json.Encoder()
