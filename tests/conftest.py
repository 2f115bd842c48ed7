"""Shared test setup: Hypothesis profiles and the golden payloads."""

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100)
# CI: many more examples, and no deadline on a shared, noisy machine.
settings.register_profile(
    "ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

PAYLOADS = Path(__file__).parent / "payloads"


def golden(name: str) -> bytes:
    """Read a documented sample body, as Bandwidth sends it."""
    return (PAYLOADS / f"{name}.json").read_bytes()


def golden_dict(name: str) -> dict[str, Any]:
    """Read a documented sample body, decoded."""
    result: dict[str, Any] = json.loads(golden(name))
    return result
