"""The one rule between attribute names and wire names: snake_case here, camelCase there."""

from collections.abc import Mapping
from types import MappingProxyType

import attrs

EVENT_TYPE = "eventType"

# Fields we keep but do not model: never a wire name of their own.
EXTRA_FIELDS = "extra_fields"
WIRE_SPELLING = "wire_spelling"
NOT_ON_THE_WIRE = frozenset({EXTRA_FIELDS, WIRE_SPELLING})

#: The attrs metadata key of a field's second documented wire key (see `aliases`).
ALIAS = "bandwidth_events.alias"
#: The attrs metadata key of a field's documentation, where the shared catalogue's won't do.
DOC = "bandwidth_events.doc"


def wire_name(attribute: str) -> str:
    """Give the wire name of an attribute: ``account_id`` is ``accountId``.

    A trailing underscore, the convention for a name that is a Python keyword, is dropped:
    ``from_`` is ``from``.
    """
    head, *rest = attribute.rstrip("_").split("_")
    return head + "".join(part.capitalize() for part in rest)


def wire_fields(cls: type) -> "tuple[attrs.Attribute[object], ...]":
    """Give the fields of a model class that travel on the wire, in order."""
    return tuple(a for a in attrs.fields(cls) if a.name not in NOT_ON_THE_WIRE)


# Per class: a class's fields never change, and every event carrying unknown fields asks.
# (Dicts, not functools.cache: mypy types a cached function as taking Hashable, not type.)
_WIRE_KEYS: dict[type, frozenset[str]] = {}
_ALIASES: dict[type, Mapping[str, str]] = {}


def aliases(cls: type) -> Mapping[str, str]:
    """Give each wire key of a class that has a second documented spelling, and that spelling.

    Bandwidth's tables name the real-time transcription object ``realTimeTranscription``; some
    of its examples send it as ``transcription``. Either is read, and written back as it came.
    """
    found = _ALIASES.get(cls)
    if found is None:
        found = _ALIASES[cls] = MappingProxyType(
            {wire_name(a.name): a.metadata[ALIAS] for a in wire_fields(cls) if ALIAS in a.metadata}
        )
    return found


def wire_keys(cls: type) -> frozenset[str]:
    """Give every wire key a model class reads, ``eventType`` (for events) and aliases included."""
    keys = _WIRE_KEYS.get(cls)
    if keys is None:
        names = {wire_name(a.name) for a in wire_fields(cls)}
        if hasattr(cls, "event_type"):
            names.add(EVENT_TYPE)
        keys = _WIRE_KEYS[cls] = frozenset({*names, *aliases(cls).values()})
    return keys
