"""The fast path of `parse_event`: one generated function per event class.

cattrs' generated hooks call a Python function per field and then the class's ``__init__``,
which runs the attrs converters and validators again. For a valid body in Bandwidth's format
that is most of the cost of parsing. A reader does the same job in one function: it checks
each field's JSON type inline, reads Bandwidth's timestamp and duration shapes inline (anything
else through the readers the converter uses), and sets the slots of a new instance directly,
since every value it sets is already what the converters and validators would make of it (UTC
datetimes, non-negative durations, enum members, read-only unknown fields).

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
from ._durations import WHOLE_SECONDS, fraction_of_second, match_seconds_shape, parse_duration
from ._json import EMPTY_OBJECT, frozen_object
from ._naming import EVENT_TYPE, EXTRA_FIELDS, wire_keys, wire_name
from ._timestamps import BANDWIDTH_SKELETON, parse_timestamp

Reader: TypeAlias = Callable[[Mapping[str, object]], Any]


class _Refused(Exception):  # noqa: N818 -- never seen outside: parse_event falls back
    """The reader does not take this body; the converter will say what is wrong with it."""


# One template per field type: statements that read the wire key into ``v``, or raise.
# ``{key}`` is the wire name, ``{name}`` the attribute. Each ends with ``v`` set to its value.
_REFUSE_NON_STR = "if v.__class__ is not str: raise _Refused"
_TEMPLATES: Final[Mapping[object, tuple[str, ...]]] = {
    str: ("v = o[{key!r}]", _REFUSE_NON_STR),
    # An absent key is counted, so that the unknown fields are known without a set operation.
    str | None: (
        "v = o.get({key!r}, _absent)",
        "if v.__class__ is not str:",
        "    if v is _absent:",
        "        v = None",
        "        unknown += 1",
        "    elif v is not None: raise _Refused",
    ),
    int: ("v = o[{key!r}]", "if v.__class__ is not int: raise _Refused"),
    # Bandwidth's shapes inline (see _timestamps and _durations), anything else through the
    # full readers. A value that is not a string fails the shape check or raises: refused.
    datetime: (
        "v = o[{key!r}]",
        f"if v[4:20:3] == {BANDWIDTH_SKELETON!r} and v[23:] == 'Z': v = _fromisoformat(v)",
        "else: v = _timestamp(v)",
    ),
    timedelta: (
        "v = o[{key!r}]",
        "m = _seconds_shape(v)",
        "if m is None: v = _duration(v)",
        "else: v = _whole_seconds[m[1]] + _fraction(m[2])",
    ),
}
_OPEN_ENUM: Final[tuple[str, ...]] = ("v = o[{key!r}]", _REFUSE_NON_STR, "v = _{name}.get(v, v)")


def make_reader(cls: type[Any]) -> Reader:
    """Generate the reader of one event class (see the module's docs).

    The body's shape (a mapping) is the caller's to check; the reader refuses a body whose
    ``eventType`` is not the class's.

    Raises:
        KeyError: A field's type has no template (a programming error, found at import).
    """
    hints = get_type_hints(cls)
    modelled = wire_keys(cls)
    namespace: dict[str, Any] = {
        "_Refused": _Refused,
        "_cls": cls,
        "_new": object.__new__,
        "_absent": object(),
        "_timestamp": parse_timestamp,
        "_fromisoformat": datetime.fromisoformat,
        "_duration": parse_duration,
        "_seconds_shape": match_seconds_shape,
        "_whole_seconds": WHOLE_SECONDS,
        "_fraction": fraction_of_second,
        "_modelled": modelled,
        "_extra": _extra_fields,
        "_empty": EMPTY_OBJECT,
    }
    lines = [
        "def read(o):",
        f"    if o[{EVENT_TYPE!r}] != {cls.event_type!r}: raise _Refused",
        # The body's unknown fields: its keys beyond the modelled ones, once each absent
        # optional key is added back (required keys are all there, or the reader raised).
        f"    unknown = len(o) - {len(modelled)}",
        "    self = _new(_cls)",
    ]
    for field in attrs.fields(cls):
        # Each slot is set through its own descriptor: the class is frozen, and this skips the
        # attribute lookup object.__setattr__ would make.
        namespace[f"_set_{field.name}"] = getattr(cls, field.name).__set__
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
        lines.append(f"    _set_{field.name}(self, v)")
    extra = "_extra(o, _modelled) if unknown else _empty"
    lines.append(f"    _set_{EXTRA_FIELDS}(self, {extra})")
    lines.append("    return self")
    code = compile("\n".join(lines), f"<bandwidth_events reader {cls.__name__}>", "exec")
    exec(code, namespace)  # noqa: S102 -- our own source, from the class's own fields
    reader: Reader = namespace["read"]
    return reader


def _extra_fields(body: Mapping[str, object], modelled: frozenset[str]) -> Mapping[str, object]:
    return frozen_object({key: value for key, value in body.items() if key not in modelled})
