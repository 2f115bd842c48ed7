"""The docs keep up with the code: a section per event class, a generated table of its fields.

And they read as a newcomer needs: snippets without linter or checker comments, the README's API
table naming every public name, signatures with defaults as users write them, links to public
names.
"""

import importlib.util
import inspect
import re
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, Final

import attrs
import pytest

import bandwidth_events
from bandwidth_events import Router, testing
from bandwidth_events._events import EVENT_CLASSES, MODEL_CLASSES, NESTED_CLASSES
from bandwidth_events._naming import wire_fields, wire_keys

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
EVENTS = DOCS / "events"
README = ROOT / "README.md"

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


_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_OPTION = re.compile(r"^:([\w-]+):[ \t]*(.*)$", re.MULTILINE)
# What a reader must never copy: lint and type-checker suppressions.
_CHECKER_COMMENT = re.compile(r"noqa|type:\s*ignore|pyright:", re.IGNORECASE)
_CHECKER_SUPPRESSION = re.compile(r"[ \t]+# (?:type|pyright): ignore\[[^\]]*\]")


def doc_pages() -> list[Path]:
    """Give the README and the docs' own pages (the generated tables hold no code)."""
    pages = sorted(
        path for path in DOCS.rglob("*.md") if not {"_build", "_generated"} & set(path.parts)
    )
    return [README, *pages]


def code_blocks(text: str) -> Iterator[tuple[str, str]]:
    """Give each fenced block of a Markdown text: its info string and its body."""
    for match in _FENCE.finditer(text):
        yield match["info"].strip(), match["body"]


def between(text: str, start: str | None, end: str | None) -> str:
    """Give the lines after the first one holding ``start``, before the next holding ``end``.

    As ``literalinclude``'s ``start-after`` and ``end-before`` do; ``None`` is the file's start
    or end.
    """
    lines = text.splitlines(keepends=True)
    first = 0 if start is None else next(i for i, line in enumerate(lines) if start in line) + 1
    last = (
        len(lines) if end is None else next(i for i in range(first, len(lines)) if end in lines[i])
    )
    return "".join(lines[first:last])


def included(page: Path, info: str, body: str) -> str:
    """Give the code a ``{literalinclude}`` block shows: its file, between its markers.

    Any other selection (``lines``, ``pyobject``) is read as the whole file: stricter.
    """
    options = {name: value.strip().strip('"') for name, value in _OPTION.findall(body)}
    text = (page.parent / info.split(maxsplit=1)[1]).read_text()
    return between(text, options.get("start-after"), options.get("end-before"))


def shown_code(page: Path) -> Iterator[str]:
    """Give each piece of code a page shows: its code blocks, the ranges it includes."""
    for info, body in code_blocks(page.read_text()):
        if info.startswith("{literalinclude}"):
            yield included(page, info, body)
        elif not info.startswith("{"):  # other directives hold reStructuredText or Markdown
            yield body


@pytest.mark.parametrize("page", doc_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_the_code_shown_carries_no_linter_or_checker_comments(page: Path) -> None:
    """Snippets are copied as they are: no ``noqa``, ``type: ignore`` or ``pyright:`` in them."""
    found = [
        line.strip()
        for code in shown_code(page)
        for line in code.splitlines()
        if _CHECKER_COMMENT.search(line)
    ]

    assert found == []


def test_the_code_shown_includes_the_type_checked_snippets() -> None:
    """The check above reads the serving guide's included parts (and finds code in them)."""
    code = list(shown_code(DOCS / "serving.md"))

    assert len(code) >= 3
    assert "asgi_app(receiver)" in "".join(code)


def code_lines(code: str) -> list[str]:
    """Give the lines of some code that are not blank."""
    return [line for line in code.splitlines() if line.strip()]


def test_the_mistakes_shown_are_the_type_checked_ones() -> None:
    """The receiving guide shows the mistakes ``tests/typing/mistakes.py`` pins, uncommented.

    There, each line carries the error mypy and pyright must report; the guide shows the same
    lines without those comments, which a reader would copy.
    """
    checked = between(
        (ROOT / "tests" / "typing" / "mistakes.py").read_text(),
        "# docs: wrong handlers start",
        "# docs: wrong handlers end",
    )
    section = sections(DOCS / "receiving.md")["What the type checker catches"]
    [shown] = [body for info, body in code_blocks(section) if info == "python"]

    expected = _CHECKER_SUPPRESSION.sub("", textwrap.dedent(checked))
    # Blank lines aside: ruff formats the page's block as top-level code, two between functions.
    assert code_lines(shown) == code_lines(expected)


def readme_api_names() -> set[str]:
    """Give the names in the first column of the README's API table."""
    table = sections(README)["The API"]
    rows = [line for line in table.splitlines() if line.startswith("| ")][2:]
    first = (_CELL_BORDER.split(row)[1] for row in rows)
    return {name for cell in first for name in re.findall(r"`([\w.]+)", cell)}


@pytest.mark.parametrize("name", bandwidth_events.__all__)
def test_every_public_name_is_in_the_readme_api_table(name: str) -> None:
    """The README's API table names each name of ``__all__`` in its first column."""
    assert name in readme_api_names()


def test_the_readme_api_table_names_only_public_names() -> None:
    """Each name in the table's first column is public: in ``__all__``, or a public module."""
    modules = {"bandwidth_events.celery", "bandwidth_events.testing"}

    assert readme_api_names() - modules <= set(bandwidth_events.__all__)


def test_the_readme_says_how_to_install_first() -> None:
    """The first section is Install, with the pip command and each extra."""
    first, text = next(iter(sections(README).items()))

    assert first == "Install"
    assert "pip install bandwidth-events\n" in text
    for extra in ("testing", "inbox", "celery"):
        assert f"`{extra}`" in text


def _log(_message: str) -> None:
    """Stand for the default hook of a class: a function, shown by its name."""


@attrs.frozen(kw_only=True)
class _Sample:
    """Fields defaulting as the package's attrs classes do."""

    tag: str | None = None
    size: int = 1 << 20
    hook: Callable[[str], None] = _log
    headers: Mapping[str, str] = attrs.field(factory=dict[str, str])
    extra_fields: Mapping[str, object] = MappingProxyType({})


_WEEK: Final = timedelta(days=7)


def _ledger(path: str, *, retention: timedelta = _WEEK, timeout: float = 5.0) -> None:
    """Stand for a function whose default is a private constant."""


def preserved(func: Callable[..., object], texts: Mapping[str, str]) -> inspect.Signature:
    """Give the signature ``autodoc_preserve_defaults`` makes: each default as its source text."""
    signature = inspect.signature(func)
    return signature.replace(
        parameters=[
            param.replace(default=sphinx_conf()._Written(texts[param.name]))
            if param.name in texts
            else param
            for param in signature.parameters.values()
        ]
    )


def defaults(signature: inspect.Signature) -> str:
    """Give the parameters that have a default as Sphinx writes them: ``name=repr(default)``."""
    return ", ".join(
        f"{param.name}={param.default!r}"
        for param in signature.parameters.values()
        if param.default is not param.empty
    )


def test_signatures_show_attrs_defaults_as_users_write_them() -> None:
    """Not attrs' ``attr_dict['tag'].default``, nor ``NOTHING`` for a factory: the values."""
    texts = {name: f"attr_dict[{name!r}].default" for name in ("tag", "size", "hook")}
    texts |= {"headers": "NOTHING", "extra_fields": "attr_dict['extra_fields'].default"}

    shown = sphinx_conf().signature_as_written(_Sample.__init__, preserved(_Sample.__init__, texts))

    assert defaults(shown) == "tag=None, size=1048576, hook=_log, headers={}, extra_fields={}"


def test_signatures_keep_defaults_users_can_write_and_show_private_ones_as_values() -> None:
    """``timeout=5.0`` stays as written; a private constant shows its value."""
    texts = {"retention": "_WEEK", "timeout": "5.0"}

    shown = sphinx_conf().signature_as_written(_ledger, preserved(_ledger, texts))

    assert defaults(shown) == "retention=timedelta(days=7), timeout=5.0"


@pytest.mark.parametrize(
    ("target", "public"),
    [
        ("bandwidth_events._enums.FileFormat", "bandwidth_events.FileFormat"),
        ("bandwidth_events._events.calls.Answer", "bandwidth_events.Answer"),
        ("bandwidth_events._receiver.Receiver", "bandwidth_events.Receiver"),
        ("bandwidth_events.FileFormat", None),  # public already
        ("bandwidth_events._api.Body", None),  # a private alias: no public name
        ("bandwidth_events._enums.Answer", None),  # not where Answer is
        ("datetime.datetime", None),
    ],
)
def test_links_to_private_paths_go_to_the_public_name(target: str, public: str | None) -> None:
    """A class named by its private module links, and is named, by its public name."""
    assert sphinx_conf().public_target(target) == public
