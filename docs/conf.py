"""Sphinx configuration: MyST Markdown, the furo theme, API pages from the docstrings.

The event pages' field tables are generated, never copied: at start, `write_field_tables` writes
one Markdown table per model class into ``_generated/fields/``, from the same catalogue as the
class's ``Attributes:`` section, and the pages include them. `write_dedupe_keys` writes the table
of each event's dedupe key from the inbox's own rule.
"""

import re
from importlib.metadata import version as _version
from pathlib import Path
from typing import TYPE_CHECKING

import bandwidth_events
from bandwidth_events._events import EVENT_CLASSES, MODEL_CLASSES
from bandwidth_events._events.catalogue import rows
from bandwidth_events._inbox import key_fields

if TYPE_CHECKING:
    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

project = "bandwidth-events"
author = "The bandwidth-events developers"
copyright = "2026, The bandwidth-events developers"  # noqa: A001 -- Sphinx's setting name
release = _version("bandwidth-events")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
# The generated field tables are included in the event pages, not pages of their own.
exclude_patterns = ["_build", "_generated"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "bandwidth-events"

# `name` in docstrings links to the API page.
default_role = "py:obj"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Attributes sections as fields of their class, not separate objects that attrs' slots repeat.
napoleon_use_ivar = True

# -n checks every reference. The standard library's and our dependencies' objects are
# documented elsewhere, and intersphinx cannot fetch their inventories where CI runs (only
# package registries are reachable), so references to them are not resolved here.
nitpick_ignore_regex = [
    ("py:.*", r"(datetime|collections\.abc|types|typing|enum|cattrs|attrs|os)\..*"),
    ("py:.*", r"(bytes|bytearray|memoryview|str|int|object|dict|type|float|bool|None)"),
    ("py:.*", r"(ValueError|TypeError|Exception)"),
    ("py:.*", r"(Any|Mapping|datetime|timedelta|StrEnum|Converter|OrjsonConverter|_E|_T)"),
    ("py:.*", r"bandwidth_events\._api\.(Body|_E)"),
    ("py:.*", r"bandwidth_events\._query\.(Query|_E)"),
    ("py:.*", r"bandwidth_events\.(testing|_strategies)\._(E|M)"),
    ("py:.*", r"(hypothesis|wsgiref|celery|redis)\..*"),
    ("py:.*", r"(WSGIEnvironment|StartResponse)"),  # wsgiref.types, imported for type checkers
    ("py:.*", r"Redis"),  # redis.Redis, imported for type checkers
    # The router's private registration helpers and type variables, seen in on()'s overloads.
    ("py:.*", r"bandwidth_events\._router\._(A|B|R|Register|RegisterBxml)"),
]

#: Where the field tables go: ``{include}`` them as ``../_generated/fields/<ClassName>.md``.
FIELD_TABLES = Path(__file__).parent / "_generated" / "fields"

_PUBLIC = frozenset(bandwidth_events.__all__)
_LITERAL = re.compile(r"``(.+?)``")
_REFERENCE = re.compile(r"(?<!`)`(\w+)`(?!`)")  # `Name`: the docstrings' default role


def _code(text: str) -> str:
    escaped = text.replace("|", r"\|")  # a pipe would end the table cell, even in code
    return f"`{escaped}`"


def _name(text: str) -> str:
    # A public name links to its documentation; anything else is code.
    return f"{{py:obj}}`~bandwidth_events.{text}`" if text in _PUBLIC else _code(text)


def _type(text: str) -> str:
    # Split ``CallCause | str | None`` at the top level only: ``tuple[A | str, ...]`` is one.
    members: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            members.append(text[start:index].strip())
            start = index + 1
    members.append(text[start:].strip())
    if _PUBLIC.isdisjoint(members):
        return _code(text)
    return r" \| ".join(map(_name, members))


def _prose(text: str) -> str:
    # The catalogue writes reStructuredText: ``literal`` and `Name` (a reference).
    text = _REFERENCE.sub(lambda match: _name(match[1]), text)
    return _LITERAL.sub(lambda match: _code(match[1]), text).replace("\n", " ")


def field_table(cls: type) -> str:
    """Give the Markdown table of a model class's wire fields, from the catalogue."""
    lines = ["| wire field | attribute | type | meaning |", "| --- | --- | --- | --- |"]
    event_type: str | None = getattr(cls, "event_type", None)
    if event_type is not None:
        aliases: tuple[str, ...] = getattr(cls, "event_type_aliases", ())
        spellings = " or ".join(map(_code, (event_type, *aliases)))
        lines.append(f"| `eventType` | `event_type` (on the class) | `str` | Always {spellings}. |")
    for key, name, type_text, meaning in rows(cls):
        lines.append(f"| {_prose(key)} | `{name}` | {_type(type_text)} | {_prose(meaning)} |")
    return "\n".join(lines) + "\n"


def write_field_tables(directory: Path = FIELD_TABLES) -> None:
    """Write the field table of every model class, ``<ClassName>.md``, into ``directory``.

    A file is rewritten only when its text changes, so Sphinx rebuilds only what changed, and
    tables of classes that are gone are removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    tables = {f"{cls.__name__}.md": field_table(cls) for cls in MODEL_CLASSES}
    for stale in directory.glob("*.md"):
        if stale.name not in tables:
            stale.unlink()
    for name, table in tables.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != table:
            path.write_text(table, encoding="utf-8")


#: The table of each event's dedupe-key fields, included by keeping.md.
DEDUPE_KEYS = Path(__file__).parent / "_generated" / "dedupe-keys.md"


def dedupe_key_table() -> str:
    """Give the Markdown table of the wire fields in each event class's default dedupe key."""
    lines = ["| event | key fields |", "| --- | --- |"]
    classes = sorted(set(EVENT_CLASSES.values()), key=lambda cls: cls.__name__)
    lines += [
        f"| {_name(cls.__name__)} | {', '.join(map(_code, key_fields(cls)))} |" for cls in classes
    ]
    return "\n".join(lines) + "\n"


def write_dedupe_keys(path: Path = DEDUPE_KEYS) -> None:
    """Write the dedupe-key table, only when its text changes."""
    table = dedupe_key_table()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != table:
        path.write_text(table, encoding="utf-8")


def _public_name(
    app: "Sphinx", env: "BuildEnvironment", node: "pending_xref", contnode: "Element"
) -> "reference | None":
    # A docstring in a submodule (bandwidth_events.testing) may name a public object bare,
    # `MediaStream`: Sphinx looks for it in the submodule only. Link it to the package's.
    target = node.get("reftarget")
    if node.get("refdomain") != "py" or target not in _PUBLIC:
        return None
    return env.get_domain("py").resolve_xref(
        env,
        node["refdoc"],
        app.builder,
        node["reftype"],
        f"bandwidth_events.{target}",
        node,
        contnode,
    )


def setup(app: "Sphinx") -> None:
    """Write the generated tables before Sphinx reads the pages that include them."""
    app.connect("builder-inited", lambda _app: (write_field_tables(), write_dedupe_keys()))
    app.connect("missing-reference", _public_name)
