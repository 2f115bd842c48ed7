"""Sphinx configuration: MyST Markdown, the furo theme, API pages from the docstrings."""

from importlib.metadata import version as _version

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
exclude_patterns = ["_build"]
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
    ("py:.*", r"(datetime|collections\.abc|types|typing|enum|cattrs|attrs)\..*"),
    ("py:.*", r"(bytes|bytearray|memoryview|str|int|object|dict|type|float|bool|None)"),
    ("py:.*", r"(ValueError|TypeError|Exception)"),
    ("py:.*", r"(Any|Mapping|datetime|timedelta|StrEnum|Converter|OrjsonConverter|_E|_T)"),
    ("py:.*", r"bandwidth_events\._api\.(Body|_E)"),
    ("py:.*", r"bandwidth_events\.testing\._E"),
    ("py:.*", r"(hypothesis|wsgiref)\..*"),
    ("py:.*", r"(WSGIEnvironment|StartResponse)"),  # wsgiref.types, imported for type checkers
    # The router's private registration helpers and type variables, seen in on()'s overloads.
    ("py:.*", r"bandwidth_events\._router\._(A|B|R|Register|RegisterBxml)"),
]
