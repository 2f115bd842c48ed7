"""The fast path of `parse_event`: one generated function per event class.

cattrs' generated hooks call a Python function per field and then the class's ``__init__``,
which runs the attrs converters and validators again. For a valid body in Bandwidth's format
that is most of the cost of parsing. A reader does the same job in one function: it checks
each field's JSON type inline, calls the timestamp, duration and enum readers the converter
uses, and sets the slots of a new instance directly, since every value it sets is already what
the converters and validators would make of it (UTC datetimes, non-negative durations, enum
members, read-only unknown fields).

A reader accepts less than the converter (exact ``str``/``int`` types, no subclasses) and never
explains: on anything unexpected it raises, and `parse_event` reads the body again with the
converter's detailed validation, which accepts what it should and names every bad field.
Property tests pin a reader to the converter: same event, or the reader refuses.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, TypeAlias, get_args, get_type_hints

import attrs

from ._converter import is_open_enum
from ._durations import match_seconds_shape, parse_duration
from ._json import EMPTY_OBJECT, frozen_object
from ._naming import EXTRA_FIELDS, wire_keys, wire_name
from ._timestamps import is_bandwidth_shape, parse_timestamp

Reader: TypeAlias = Callable[[Mapping[str, object]], Any]


class _Refused(Exception):  # noqa: N818 -- never seen outside: parse_event falls back
    """The reader does not take this body; the converter will say what is wrong with it."""


# One template per field type: statements that read the wire key into ``v``, or raise.
# ``{key}`` is the wire name, ``{name}`` the attribute.
_REFUSE_NON_STR = "if v.__class__ is not str: raise _Refused"
_TEMPLATES: Final[Mapping[object, tuple[str, ...]]] = {
    str: ("v = o[{key!r}]", _REFUSE_NON_STR),
    str | None: (
        "v = o.get({key!r})",
        "if v is not None and v.__class__ is not str: raise _Refused",
    ),
    int: ("v = o[{key!r}]", "if v.__class__ is not int: raise _Refused"),
    # The commonest shapes inline (see _timestamps and _durations), anything else through the
    # full readers. A value that is not a string makes the shape check raise: refused.
    datetime: (
        "v = o[{key!r}]",
        "if _bandwidth_shape(v): v = _fromisoformat(v)",
        "else: v = _timestamp(v)",
    ),
    timedelta: (
        "v = o[{key!r}]",
        "m = _seconds_shape(v)",
        "if m is None: v = _duration(v)",
        "else:",
        "    s, f = m.groups()",
        "    v = _timedelta(0, int(s), int(f.ljust(6, '0')) if f else 0)",
    ),
}
_OPEN_ENUM: Final[tuple[str, ...]] = ("v = o[{key!r}]", _REFUSE_NON_STR, "v = _{name}.get(v, v)")


def make_reader(cls: type[Any]) -> Reader:
    """Generate the reader of one event class (see the module's docs).

    The body's shape (a mapping) and its ``eventType`` are the caller's to check.

    Raises:
        KeyError: A field's type has no template (a programming error, found at import).
    """
    hints = get_type_hints(cls)
    namespace: dict[str, Any] = {
        "_Refused": _Refused,
        "_cls": cls,
        "_new": object.__new__,
        "_setattr": object.__setattr__,
        "_timestamp": parse_timestamp,
        "_bandwidth_shape": is_bandwidth_shape,
        "_fromisoformat": datetime.fromisoformat,
        "_duration": parse_duration,
        "_seconds_shape": match_seconds_shape,
        "_timedelta": timedelta,
        "_modelled": wire_keys(cls),
        "_extra": _extra_fields,
        "_empty": EMPTY_OBJECT,
    }
    lines = ["def read(o):", "    self = _new(_cls)", "    _set = _setattr.__get__(self)"]
    for field in attrs.fields(cls):
        if field.name == EXTRA_FIELDS:
            continue
        field_type = hints[field.name]
        if is_open_enum(field_type):
            template = _OPEN_ENUM
            members = get_args(field_type)[0]
            namespace[f"_{field.name}"] = {member.value: member for member in members}
        else:
            template = _TEMPLATES[field_type]
        key = wire_name(field.name)
        lines.extend("    " + line.format(key=key, name=field.name) for line in template)
        lines.append(f"    _set({field.name!r}, v)")
    extra = "_empty if _modelled.issuperset(o) else _extra(o, _modelled)"
    lines.append(f"    _set({EXTRA_FIELDS!r}, {extra})")
    lines.append("    return self")
    code = compile("\n".join(lines), f"<bandwidth_events reader {cls.__name__}>", "exec")
    exec(code, namespace)  # noqa: S102 -- our own source, from the class's own fields
    reader: Reader = namespace["read"]
    return reader


def _extra_fields(body: Mapping[str, object], modelled: frozenset[str]) -> Mapping[str, object]:
    return frozen_object({key: value for key, value in body.items() if key not in modelled})
