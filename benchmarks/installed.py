"""Whether the bandwidth_events a benchmark measures is the source tree's.

The benchmarks measure the package as installed (``nox`` builds and installs it). But ``nox
-R`` reuses a session's environment *without installing*: after a change to ``src/``, a run
started that way measures the package installed the time before, and nothing says so. Each
benchmark script calls `require_source_tree` before it measures anything.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

SOURCE = Path(__file__).parent.parent / "src" / "bandwidth_events"


def add_any_install(parser: argparse.ArgumentParser) -> None:
    """Give a script ``--any-install``: measure whatever is installed (an older release, say)."""
    parser.add_argument(
        "--any-install",
        action="store_true",
        help="measure the installed bandwidth_events even if it is not the source tree's",
    )


def stale_files() -> list[str]:
    """Give the source tree's modules whose installed copy is missing or not the same."""
    spec = importlib.util.find_spec("bandwidth_events")
    if spec is None or spec.origin is None:
        return ["every module (bandwidth_events is not installed)"]
    installed = Path(spec.origin).parent
    return [
        str(path.relative_to(SOURCE))
        for path in sorted(SOURCE.rglob("*.py"))
        if not (copy := installed / path.relative_to(SOURCE)).is_file()
        or copy.read_bytes() != path.read_bytes()
    ]


def require_source_tree(*, any_install: bool) -> None:
    """Exit, saying which modules differ, unless the installed package is the source tree's."""
    stale = stale_files()
    if stale and not any_install:
        named = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")  # noqa: PLR2004
        sys.exit(
            f"The installed bandwidth_events is not the source tree's: {named} differ. Install"
            f" it again (nox -r reuses the environment and installs; nox -R does not), or pass"
            " --any-install to measure it as it is."
        )
