"""Every check the project runs, each in a virtualenv nox makes: ``nox`` runs them all."""

import os

import nox

nox.needs_version = ">=2025.2.9"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typing", "tests", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session: nox.Session, *groups: str) -> None:
    """Install the package (editable, with the testing extra) and the named dependency groups."""
    session.install("-e", ".[testing]", *nox.project.dependency_groups(PYPROJECT, *groups))


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
    """Pytest (tests, README and docs doctests) with 100% line and branch coverage of src/."""
    install(session, "tests")
    # CI runs the Hypothesis profile with ten times the examples.
    profile = "ci" if os.environ.get("CI") else "dev"
    session.run("coverage", "erase")
    session.run(
        "coverage", "run", "-m", "pytest", *session.posargs, env={"HYPOTHESIS_PROFILE": profile}
    )
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report")


@nox.session
def docs(session: nox.Session) -> None:
    """Sphinx, warnings as errors and every reference checked (-W -n)."""
    install(session, "docs")
    session.run(
        "sphinx-build", "-W", "-n", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks against pydantic, msgspec and the official SDK (not part of ``nox``)."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "benchmarks/bench.py", *session.posargs)
