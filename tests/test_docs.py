"""The docs keep up with the code: a page per event class, naming every field it models."""

from pathlib import Path

import attrs
import pytest

from bandwidth_events import ConferenceEvent, Router

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
