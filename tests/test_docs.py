"""The docs keep up with the code: a section per event class, a generated table of its fields."""

import importlib.util
import re
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import bandwidth_events
from bandwidth_events import Router, testing
from bandwidth_events._events import EVENT_CLASSES, MODEL_CLASSES, NESTED_CLASSES
from bandwidth_events._naming import wire_fields, wire_keys

DOCS = Path(__file__).parent.parent / "docs"
EVENTS = DOCS / "events"

_TOCTREE = re.compile(r"```\{toctree\}\n(.*?)```", re.DOTALL)
_DIRECTIVE = re.compile(r"\.\. (?:auto\w+|py:data):: (bandwidth_events[\w.]*)")
_CELL_BORDER = re.compile(r"(?<!\\)\|")  # a pipe that is not escaped as \|


def toctree(page: Path) -> list[str]:
    """Give the documents a page's toctree lists, in order."""
    [block] = _TOCTREE.findall(page.read_text())
    lines = (line.strip() for line in block.splitlines())
    return [line for line in lines if line and not line.startswith(":")]


def sections(page: Path) -> dict[str, str]:
    """Give each ``## heading`` of a page and the text up to the next one."""
    parts = re.split(r"^## (.+)$", page.read_text(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def family_pages() -> list[Path]:
    """Give the event pages the events index lists."""
    return [EVENTS / f"{name}.md" for name in toctree(EVENTS / "index.md")]


def assert_documented_in(section: str, cls: type[Any]) -> None:
    """Check that a section includes the class's generated field table and its autoclass."""
    assert f"```{{include}} ../_generated/fields/{cls.__name__}.md\n```" in section
    assert f"```{{eval-rst}}\n.. autoclass:: bandwidth_events.{cls.__name__}\n" in section


@cache
def sphinx_conf() -> ModuleType:
    """Load ``docs/conf.py``, which writes the field tables, as Sphinx does."""
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_rows(table: str) -> list[list[str]]:
    """Split a Markdown table into its body rows' cells, header and rule left out."""
    rows = [_CELL_BORDER.split(line)[1:-1] for line in table.splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


EVENT_CLASS_LIST = list(dict.fromkeys(EVENT_CLASSES.values()))  # RecordComplete once


@pytest.mark.parametrize("cls", EVENT_CLASS_LIST, ids=lambda cls: cls.__name__)
def test_every_event_has_a_section_on_one_family_page(cls: type[Any]) -> None:
    """Each event has a section titled by its eventType on exactly one page of the events index."""
    found = [page for page in family_pages() if cls.event_type in sections(page)]

    assert len(found) == 1, found
    assert found[0].name != "objects.md"
    assert_documented_in(sections(found[0])[cls.event_type], cls)


@pytest.mark.parametrize("cls", NESTED_CLASSES, ids=lambda cls: cls.__name__)
def test_every_nested_object_has_a_section_on_the_objects_page(cls: type[Any]) -> None:
    """Each nested object has a section titled by its class name on the objects page."""
    assert EVENTS / "objects.md" in family_pages()
    assert_documented_in(sections(EVENTS / "objects.md")[cls.__name__], cls)


@pytest.mark.parametrize("event_type", list(EVENT_CLASSES))
def test_the_events_index_table_names_every_event_type(event_type: str) -> None:
    """The events index has a table row naming each eventType, the spec's spellings included."""
    rows = [line for line in (EVENTS / "index.md").read_text().splitlines() if line[:2] == "| "]

    assert any(f"`{event_type}`" in row.split(" | ")[0] for row in rows)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_each_field_table_has_a_row_per_wire_field(cls: type[Any]) -> None:
    """The generated table has four cells per row, a row per wire key and one per attribute."""
    table: str = sphinx_conf().field_table(cls)
    rows = table_rows(table)

    assert all(len(row) == 4 for row in rows)
    assert {key for row in rows for key in re.findall(r"`(\w+)`", row[0])} == wire_keys(cls)
    names = [field.name for field in wire_fields(cls)]
    if hasattr(cls, "event_type"):
        names.insert(0, "event_type")
    assert [re.findall(r"`(\w+)`", row[1])[0] for row in rows] == names


def test_field_tables_are_written_one_file_per_class(tmp_path: Path) -> None:
    """Sphinx's start writes a table file per model class and removes those of no class."""
    (tmp_path / "Gone.md").write_text("| stale |\n")

    sphinx_conf().write_field_tables(tmp_path)

    assert {path.name for path in tmp_path.iterdir()} == {
        f"{cls.__name__}.md" for cls in MODEL_CLASSES
    }
    for cls in MODEL_CLASSES:
        assert (tmp_path / f"{cls.__name__}.md").read_text() == sphinx_conf().field_table(cls)


def test_receiving_guide_shows_the_router() -> None:
    """The guide is in the table of contents and built around the Router."""
    guide = (DOCS / "receiving.md").read_text()

    assert "receiving" in toctree(DOCS / "index.md")
    assert f"router = {Router.__name__}()" in guide


def documented_names() -> Counter[str]:
    """Count the autodoc and py:data directives of each object in the docs' own pages."""
    pages = (path for path in DOCS.rglob("*.md") if "_generated" not in path.parts)
    return Counter(name for page in pages for name in _DIRECTIVE.findall(page.read_text()))


@pytest.mark.parametrize(
    "name",
    [f"bandwidth_events.{name}" for name in bandwidth_events.__all__]
    + [f"bandwidth_events.testing.{name}" for name in testing.__all__],
)
def test_every_public_name_is_in_the_api_reference(name: str) -> None:
    """The docs document each public name from its docstring (a new name needs a directive)."""
    assert name in documented_names()


def test_no_object_is_documented_twice() -> None:
    """Each object has one directive in the docs, so links go to one place (Sphinx warns too)."""
    assert {name for name, count in documented_names().items() if count > 1} == set()


def test_the_event_pages_document_the_model_classes_only() -> None:
    """The event pages have an autoclass for each model class and for nothing else."""
    documented = {
        name
        for page in family_pages()
        for section in sections(page).values()
        for name in re.findall(r"autoclass:: bandwidth_events\.(\w+)", section)
    }

    assert documented == {cls.__name__ for cls in MODEL_CLASSES}
