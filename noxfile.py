"""Every check the project runs, each in a virtualenv nox makes: ``nox`` runs them all."""

import itertools
import json
import os
import zipfile
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.version import Version

nox.needs_version = ">=2025.2.9"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typing", "tests", "pure", "floors", "deep", "docs"]
# A Python that is not installed is reported, never downloaded: the session is skipped with its
# name, and under CI (the CI variable set) nox fails instead.
nox.options.download_python = "never"

PYPROJECT = nox.project.load_toml("pyproject.toml")
# The one list of supported Pythons: pyproject.toml's "Programming Language :: Python :: 3.X"
# classifiers. The typing and tests sessions run on each; the floors session on the oldest, the
# pure and deep ones on the newest.
PYTHONS = nox.project.python_versions(PYPROJECT)
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]

#: Hypothesis's settings (tests/conftest.py): under CI, no deadline on a shared machine.
PROFILE = "ci" if os.environ.get("CI") else "dev"
#: Every pytest run: one worker per core (pytest-xdist), each taking tests as it is free.
PYTEST_ARGS = ("--numprocesses=auto", "--dist=worksteal")
#: Leaves out the crash tests (minutes of load while processes are SIGKILLed, half of a
#: session's time): they run on the newest Python and at the floors (the oldest Python, Kombu's
#: oldest restore), not again on each Python between or without the ``fast`` extra.
NO_CRASH_TESTS = ("-m", "not crash")


def find_pyenv_pythons() -> None:
    """Let nox find the listed Pythons that pyenv installed but has not made active.

    pyenv's shims run only the active versions; nox reads ``PYENV_VERSION`` to resolve them, so
    the newest installed patch release of each listed version is added to it.
    """
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not versions.is_dir():
        return
    active = [name for name in os.environ.get("PYENV_VERSION", "").split(":") if name]
    for python in PYTHONS:
        installed = [
            path.name
            for path in versions.glob(f"{python}.*")
            if path.name.removeprefix(f"{python}.").isdigit() and (path / "bin").is_dir()
        ]
        if installed and not any(name.startswith(f"{python}.") for name in active):
            active.append(max(installed, key=lambda name: int(name.rpartition(".")[2])))
    if active:
        os.environ["PYENV_VERSION"] = ":".join(active)


find_pyenv_pythons()


def install(session: nox.Session, *groups: str) -> None:
    """Install the package (editable, with its extras) and the named dependency groups."""
    session.install(
        "-e", ".[testing,inbox,celery,fast]", *nox.project.dependency_groups(PYPROJECT, *groups)
    )


def install_built(session: nox.Session, package: str, extras: str, group: str) -> None:
    """Install the package built, not editable (the source tree or a wheel), and a group.

    The version does not change between builds: without the second install, a reused
    virtualenv keeps the package it was first given.
    """
    session.install(
        f"{package}[{extras}]" if extras else package,
        *nox.project.dependency_groups(PYPROJECT, group),
    )
    session.install("--force-reinstall", "--no-deps", package)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHONS)
def typing(session: nox.Session) -> None:
    """Mypy --strict and pyright strict on src/ and tests/ (tests/typing/ included)."""
    install(session, "typing")
    session.run("mypy", f"--python-version={session.python}")
    session.run("pyright", f"--pythonversion={session.python}")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Build and check the sdist and wheel, then run pytest against the installed wheel.

    The wheel goes into this session's fresh virtualenv, never the source tree, so a file the
    wheel lacks fails the tests. Pytest runs the tests, the README's and the docs' examples,
    with 100% line and branch coverage of the package; the crash tests on the newest Python.
    """
    wheel = build_and_check(session)
    install_built(session, str(wheel), "testing,inbox,celery,fast", "tests")
    session.run(
        "python",
        "-c",
        "import bandwidth_events as p, sys; "
        "sys.exit(None if 'site-packages' in p.__file__ else f'not the wheel: {p.__file__}')",
    )
    run_pytest(session, *(() if session.python == NEWEST else NO_CRASH_TESTS))


@nox.session(python=NEWEST)
def pure(session: nox.Session) -> None:
    """The tests without the ``fast`` extra: the default install reads every body the same.

    Coverage is the tests sessions' job (this one cannot reach the msgspec path).
    """
    install_built(session, ".", "testing,inbox,celery", "tests")
    session.run("python", "-c", "import importlib.util as u; assert not u.find_spec('msgspec')")
    session.run(
        "pytest",
        *PYTEST_ARGS,
        *NO_CRASH_TESTS,
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": PROFILE},
    )


@nox.session(python=NEWEST)
def deep(session: nox.Session) -> None:
    """The property tests alone, with ten times the examples: the one deep search.

    The other sessions run each property a hundred times, on every Python and at the floors.
    The inputs a property draws do not depend on either, so the deeper search runs once, on
    the newest Python: a fault only an older Python or a floor shows, after more than a hundred
    examples, is the one it would miss.
    """
    install_built(session, ".", "testing,inbox,celery,fast", "tests")
    session.run(
        "pytest",
        *PYTEST_ARGS,
        "-m",
        "hypothesis",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "deep"},
    )


@nox.session(python=OLDEST, venv_backend="uv")
def floors(session: nox.Session) -> None:
    """The tests against the lowest version of every dependency that pyproject.toml allows.

    uv's lowest-direct resolution installs the floor of each dependency the package and the
    tests group name (their own dependencies at their newest), on the oldest supported Python.
    """
    session.install(
        "--resolution=lowest-direct",
        ".[testing,inbox,celery,fast]",
        *nox.project.dependency_groups(PYPROJECT, "tests"),
    )
    check_floors(session)
    run_pytest(session)


def check_floors(session: nox.Session) -> None:
    """Fail unless every runtime dependency is installed at the floor pyproject.toml gives it."""
    project = PYPROJECT["project"]
    floors: dict[str, str] = {}
    extras = project["optional-dependencies"].values()
    for line in itertools.chain(project["dependencies"], *extras):
        requirement = Requirement(line)
        for specifier in requirement.specifier:
            if specifier.operator == ">=":
                floors[requirement.name] = specifier.version
    script = (
        "import importlib.metadata as m, json, sys; "
        "print(json.dumps({name: m.version(name) for name in sys.argv[1:]}))"
    )
    output = session.run("python", "-c", script, *floors, silent=True)
    if output is None:  # nox --install-only runs nothing
        return
    installed = json.loads(str(output))
    wrong = [
        f"{name} {installed[name]} (floor {floor})"
        for name, floor in floors.items()
        if Version(installed[name]) != Version(floor)
    ]
    if wrong:
        session.error("not at their floors: " + ", ".join(wrong))
    session.log("dependencies at their floors: " + ", ".join(f"{n} {v}" for n, v in floors.items()))


def run_pytest(session: nox.Session, *arguments: str) -> None:
    """Pytest under coverage (its workers too), with these arguments; 100% of src/ required."""
    env = {
        "HYPOTHESIS_PROFILE": PROFILE,
        # Each session's own data (the processes the tests start write theirs there too).
        "COVERAGE_FILE": str(Path(session.create_tmp()).resolve() / ".coverage"),
    }
    session.run("coverage", "erase", env=env)
    session.run(
        "coverage", "run", "-m", "pytest", *PYTEST_ARGS, *arguments, *session.posargs, env=env
    )
    session.run("coverage", "combine", "--quiet", env=env)
    session.run("coverage", "report", env=env)


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
        f"Requires-Python: >={OLDEST}",
        *(f"Classifier: Programming Language :: Python :: {python}" for python in PYTHONS),
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
    install_built(session, ".", "", "bench")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session
def instructions(session: nox.Session) -> None:
    """The benchmark's jobs under callgrind: instructions per call, whatever the load.

    Not in ``nox``; it needs valgrind.
    """
    install_built(session, ".", "", "bench")
    session.run("python", "benchmarks/instructions.py", *session.posargs)


@nox.session(name="bench-receiving")
def bench_receiving(session: nox.Session) -> None:
    """The ASGI receiver under uvicorn, with and without the inbox and Celery (not in ``nox``)."""
    install_built(session, ".", "inbox,celery", "bench")
    session.run("python", "benchmarks/receiving.py", *session.posargs)
