"""Every check the project runs, each in a virtualenv nox makes: ``nox`` runs them all."""

import os
import zipfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typing", "tests", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session: nox.Session, *groups: str) -> None:
    """Install the package (editable, with its extras) and the named dependency groups."""
    session.install(
        "-e", ".[testing,inbox,celery]", *nox.project.dependency_groups(PYPROJECT, *groups)
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Mypy --strict and pyright strict on src/ and tests/ (tests/typing/ included)."""
    install(session, "typing")
    session.run("mypy")
    session.run("pyright")


@nox.session
def tests(session: nox.Session) -> None:
    """Build and check the sdist and wheel, then run pytest against the installed wheel.

    The wheel goes into this session's fresh virtualenv, never the source tree, so a file the
    wheel lacks fails the tests. Pytest runs the tests, the README's and the docs' examples,
    with 100% line and branch coverage of the package.
    """
    wheel = build_and_check(session)
    session.install(
        f"{wheel}[testing,inbox,celery]", *nox.project.dependency_groups(PYPROJECT, "tests")
    )
    # The version does not change between builds: without this, a reused virtualenv keeps the
    # wheel it was first given.
    session.install("--force-reinstall", "--no-deps", str(wheel))
    session.run(
        "python",
        "-c",
        "import bandwidth_events as p, sys; "
        "sys.exit(None if 'site-packages' in p.__file__ else f'not the wheel: {p.__file__}')",
    )
    # CI runs the Hypothesis profile with ten times the examples.
    profile = "ci" if os.environ.get("CI") else "dev"
    session.run("coverage", "erase")
    session.run(
        "coverage", "run", "-m", "pytest", *session.posargs, env={"HYPOTHESIS_PROFILE": profile}
    )
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report")


def build_and_check(session: nox.Session) -> Path:
    """Build the sdist and the wheel, check both as the index would; give the wheel's path."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "release"))
    dist = Path(session.create_tmp()) / "dist"
    for old in dist.glob("*"):
        old.unlink()
    session.run("python", "-m", "build", "--outdir", str(dist), silent=True)
    artifacts = sorted(str(path) for path in dist.iterdir())
    session.run("twine", "check", "--strict", *artifacts, silent=True)
    [wheel] = dist.glob("*.whl")
    session.run("check-wheel-contents", str(wheel), silent=True)
    check_wheel(wheel)
    return wheel


def check_wheel(wheel: Path) -> None:
    """Check what check-wheel-contents does not: our marker files, metadata, nothing extra."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata] = [name for name in names if name.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    problems = [f"missing {name}" for name in ("bandwidth_events/py.typed",) if name not in names]
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        problems.append("missing the license file")
    problems += [f"stray {name}" for name in names if name.split("/")[0] in {"tests", "docs"}]
    for field in (
        "License-Expression: MIT",
        "Requires-Python: >=3.11",
        "Classifier: Typing :: Typed",
        "Provides-Extra: testing",
        "Provides-Extra: inbox",
        "Provides-Extra: celery",
        "Description-Content-Type: text/markdown",
    ):
        if field not in text:
            problems.append(f"metadata lacks {field!r}")
    if problems:
        raise RuntimeError(f"{wheel.name}: " + "; ".join(problems))


@nox.session
def docs(session: nox.Session) -> None:
    """Sphinx, warnings as errors and every reference checked (-W -n)."""
    install(session, "docs")
    session.run(
        "sphinx-build", "-q", "-W", "-n", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks against pydantic, msgspec and the official SDK (not part of ``nox``)."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.install("--force-reinstall", "--no-deps", ".")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session(name="bench-receiving")
def bench_receiving(session: nox.Session) -> None:
    """The ASGI receiver under uvicorn, with and without the inbox and Celery (not in ``nox``)."""
    session.install(".[inbox,celery]", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.install("--force-reinstall", "--no-deps", ".")
    session.run("python", "benchmarks/receiving.py", *session.posargs)
