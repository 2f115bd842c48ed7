"""Sphinx configuration: MyST Markdown, the furo theme, API pages from the docstrings.

The event pages' field tables are generated, never copied: at start, `write_field_tables` writes
one Markdown table per model class into ``_generated/fields/``, from the same catalogue as the
class's ``Attributes:`` section, and the pages include them. `write_dedupe_keys` writes the table
of each event's dedupe key from the inbox's own rule.

The API pages read as a user's code does: `signature_as_written` shows each default as a user
writes it (``tag=None``, not attrs' ``attr_dict['tag'].default``), and `public_target` links a
class named by its private module (``bandwidth_events._enums.FileFormat``) to its public name.
"""

import inspect
import logging
import re
import sys
from datetime import timedelta
from importlib import import_module
from importlib.metadata import version as _version
from pathlib import Path
from types import FunctionType, MappingProxyType
from typing import TYPE_CHECKING

import attrs

import bandwidth_events
from bandwidth_events._events import EVENT_CLASSES, MODEL_CLASSES
from bandwidth_events._events.catalogue import rows
from bandwidth_events._inbox import key_fields

if TYPE_CHECKING:
    from docutils.nodes import Element, document, reference
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

# MyST logs its whole configuration at INFO on every build; its warnings still show (and fail -W).
logging.getLogger("sphinx.myst_parser").setLevel(logging.WARNING)

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


class _Written:
    # A default as the text a user writes: Sphinx shows a default's repr.
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def written(value: object) -> str:
    """Give a default value as a user writes it: ``None``, ``1048576``, ``timedelta(days=7)``."""
    if isinstance(value, MappingProxyType):
        return repr(dict(value))  # the read-only mapping a dict given there becomes
    if isinstance(value, timedelta):
        return repr(value).removeprefix("datetime.")
    if inspect.isfunction(value):
        return value.__name__
    return repr(value)


def _owner(func: FunctionType) -> type | None:
    # The class a method belongs to, from its module and qualified name (attrs sets both).
    owner: object = sys.modules.get(func.__module__)
    for part in func.__qualname__.split(".")[:-1]:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


def default_values(func: FunctionType) -> dict[str, object]:
    """Give the default value of each of a function's parameters that has one.

    For an attrs class's ``__init__``, a field made by a factory gets what the factory makes
    (one whose factory takes ``self`` is left out).
    """
    code = func.__code__
    positional = code.co_varnames[: code.co_argcount]
    defaults = func.__defaults__ or ()
    values = dict(zip(positional[len(positional) - len(defaults) :], defaults, strict=True))
    values.update(func.__kwdefaults__ or {})
    owner = _owner(func)
    if owner is not None and attrs.has(owner) and owner.__init__ is func:
        for field in attrs.fields(owner):
            if isinstance(field.default, attrs.Factory):
                values.pop(field.alias, None)
                if not field.default.takes_self:
                    values[field.alias] = field.default.factory()
    return values


# A default's source text a user cannot write: attrs' generated ``__init__`` reads its defaults
# as ``attr_dict['tag'].default`` (``NOTHING`` for a factory), and a private constant (``_WEEK``)
# cannot be imported.
_UNWRITTEN = re.compile(r"attr_dict\[|\bNOTHING\b|(?<![\w.])_\w")


def signature_as_written(func: FunctionType, shown: inspect.Signature) -> inspect.Signature:
    """Give ``shown`` with each default a user cannot write replaced by its value, written."""
    values = default_values(func)
    return shown.replace(
        parameters=[
            param.replace(default=_Written(written(values[param.name])))
            if param.name in values and _UNWRITTEN.search(repr(param.default))
            else param
            for param in shown.parameters.values()
        ]
    )


def _defaults_as_written(_app: "Sphinx", obj: object, *_bound_method: object) -> None:
    # autodoc_preserve_defaults shows each default as its source text (``timeout=TIMEOUT``)
    # through the function's ``__signature__``; keep those a user can write.
    func = getattr(obj, "__func__", obj)
    shown = getattr(func, "__signature__", None)
    if isinstance(func, FunctionType) and isinstance(shown, inspect.Signature):
        func.__signature__ = signature_as_written(func, shown)


def public_target(target: str) -> str | None:
    """Give the public name of an object named by its private path, else ``None``.

    ``bandwidth_events._enums.FileFormat`` is ``bandwidth_events.FileFormat``: autodoc and
    napoleon name an annotation's class by the module that defines it, and Sphinx knows that
    path as the class's canonical name.
    """
    module, _, name = target.rpartition(".")
    parts = module.split(".")
    if parts[0] != "bandwidth_events" or name not in _PUBLIC:
        return None
    if not any(part.startswith("_") for part in parts[1:]):
        return None
    try:
        defined = getattr(import_module(module), name, None)
    except ImportError:
        return None
    return f"bandwidth_events.{name}" if defined is getattr(bandwidth_events, name) else None


def _public_links(_app: "Sphinx", doctree: "document") -> None:
    # Link each class by its public name, and name it so where the text is the path.
    for xref in doctree.findall(lambda node: node.tagname == "pending_xref"):
        target = str(xref.get("reftarget", "")).removeprefix("~")
        public = public_target(target) if xref.get("refdomain") == "py" else None
        if public is None:
            continue
        xref["reftarget"] = xref["reftarget"].replace(target, public)
        for text in list(xref.findall(lambda node: node.tagname == "#text")):
            if text == target:
                text.parent.replace(text, type(text)(public))


def setup(app: "Sphinx") -> None:
    """Write the generated tables before Sphinx reads the pages that include them."""
    app.connect("builder-inited", lambda _app: (write_field_tables(), write_dedupe_keys()))
    app.connect("missing-reference", _public_name)
    # After autodoc_preserve_defaults has set the defaults' source texts.
    app.connect("autodoc-before-process-signature", _defaults_as_written, priority=900)
    app.connect("doctree-read", _public_links)
