"""The docs keep up with the code: a page per event class, naming every field it models."""

import re
from pathlib import Path

import attrs
import pytest

import bandwidth_events
from bandwidth_events import ConferenceEvent, Router, testing

from .strategies import WIRE_KEYS

DOCS = Path(__file__).parent.parent / "docs"


@pytest.mark.parametrize("cls", list(WIRE_KEYS))
def test_every_event_has_a_page_naming_its_fields(cls: type[ConferenceEvent]) -> None:
    """Each event's page exists, is in the table of contents, and names each wire field."""
    page = (DOCS / "events" / f"{cls.event_type}.md").read_text()
    contents = (DOCS / "events" / "index.md").read_text()

    assert f"\n{cls.event_type}\n" in contents
    assert f"autoclass:: bandwidth_events.{cls.__name__}" in page
    for key in WIRE_KEYS[cls]:
        assert f"| `{key}` |" in page
    for field in attrs.fields(cls):
        if field.name != "extra_fields":
            assert f"| `{field.name}` |" in page


def test_receiving_guide_shows_the_router() -> None:
    """The guide is in the table of contents and built around the Router."""
    guide = (DOCS / "receiving.md").read_text()

    assert "\nreceiving\n" in (DOCS / "index.md").read_text()
    assert f"router = {Router.__name__}()" in guide


def documented_names() -> set[str]:
    """Give every object an autodoc or py:data directive in the docs documents."""
    pattern = re.compile(r"\.\. (?:auto\w+|py:data):: (bandwidth_events[\w.]*)")
    texts = (path.read_text() for path in DOCS.rglob("*.md"))
    return {match for text in texts for match in pattern.findall(text)}


@pytest.mark.parametrize(
    "name",
    [f"bandwidth_events.{name}" for name in bandwidth_events.__all__]
    + [f"bandwidth_events.testing.{name}" for name in testing.__all__],
)
def test_every_public_name_is_in_the_api_reference(name: str) -> None:
    """The docs document each public name from its docstring (a new name needs a directive)."""
    assert name in documented_names()
