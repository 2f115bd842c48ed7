"""Shared test setup: Hypothesis profiles and the golden payloads."""

import json
import os
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings

from bandwidth_events._events import MODEL_CLASSES

settings.register_profile("dev", max_examples=100)
# CI: no deadline on a shared, noisy machine. Every CI session runs "ci"; one of them runs
# "deep", ten times the examples, on the newest Python (the noxfile says which). The inputs a
# property draws are the same on every Python and at every floor; a fault that shows only on an
# older Python or at the floors, and only after a hundred examples, would be missed.
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

PAYLOADS = Path(__file__).parent / "payloads"


def golden(name: str) -> bytes:
    """Read a documented sample body, as Bandwidth sends it."""
    return (PAYLOADS / f"{name}.json").read_bytes()


def golden_dict(name: str) -> dict[str, Any]:
    """Read a documented sample body, decoded."""
    result: dict[str, Any] = json.loads(golden(name))
    return result


def assert_read_only_models(model: Any) -> None:
    """Check that a model read by a fast reader, and each object in it, is of its own class.

    The readers fill in an unfrozen twin of each class and then make it an instance of the
    class itself: none may be left a twin, which could be changed.
    """
    cls: type[Any] = model.__class__
    assert cls in MODEL_CLASSES, cls.__qualname__
    name = attrs.fields(cls)[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(model, name, None)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        delattr(model, name)
    assert pickle.loads(pickle.dumps(model)) == model  # noqa: S301 -- our own pickle
    assert hash(model) == hash(attrs.evolve(model))
    for field in attrs.fields(cls):
        value: object = getattr(model, field.name)
        if attrs.has(value.__class__):
            assert_read_only_models(value)
