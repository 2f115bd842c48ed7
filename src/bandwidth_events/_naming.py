"""The one rule between attribute names and wire names: snake_case here, camelCase there."""

import attrs

EVENT_TYPE = "eventType"

# Fields we keep but do not model: never a wire name of their own.
EXTRA_FIELDS = "extra_fields"


def wire_name(attribute: str) -> str:
    """Give the wire name of an attribute: ``account_id`` is ``accountId``.

    A trailing underscore, the convention for a name that is a Python keyword, is dropped:
    ``from_`` is ``from``.
    """
    head, *rest = attribute.rstrip("_").split("_")
    return head + "".join(part.capitalize() for part in rest)


# Per class: a class's fields never change, and every event carrying unknown fields asks.
# (A dict, not functools.cache: mypy types a cached function as taking Hashable, not type.)
_WIRE_KEYS: dict[type, frozenset[str]] = {}


def wire_keys(cls: type) -> frozenset[str]:
    """Give every wire key an event class models, ``eventType`` included."""
    keys = _WIRE_KEYS.get(cls)
    if keys is None:
        names = (a.name for a in attrs.fields(cls) if a.name != EXTRA_FIELDS)
        keys = _WIRE_KEYS[cls] = frozenset({EVENT_TYPE, *map(wire_name, names)})
    return keys
