"""Development sessions. Run one with `nox -s NAME`; list them with `nox -l`.

- `tests`: the test suite, with jaxtyping + beartype runtime checks.
- `tests_x64`: the test suite in double precision (`JAX_ENABLE_X64=1`).
- `lint`: ruff (check + format) and pyright.
- `docs`: build the documentation site (`mkdocs build --strict`) into `site/`.
- `examples`: every `examples/*.py` at a small size.
- `demo`: the full COBA network (4000 neurons, 1 s): rates, wall time, raster.
- `bench`: the benchmark scripts in `benchmarks/`.
- `peers`: Brian2 and BrainPy side by side (`benchmarks/peers/`; their own venvs).

Each session builds its own virtual environment from `pyproject.toml` (the
package, its extras and its dependency groups), so a clean clone needs only
`python -m pip install nox`. Arguments after `--` are forwarded, e.g.
`nox -s tests -- -x -q -k lif`.
"""

import glob
import os

import nox


nox.needs_version = ">=2024.4"
nox.options.sessions = ["tests", "lint", "docs", "examples"]
nox.options.error_on_external_run = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
TEST = nox.project.dependency_groups(PYPROJECT, "test")
LINT = nox.project.dependency_groups(PYPROJECT, "lint")
DOCS = nox.project.dependency_groups(PYPROJECT, "docs")

# jaxtyping's pytest plugin (registered under the entry-point name `jaxtyping`)
# checks every annotated function of brainox with beartype at runtime.
JAXTYPING = ["-p", "jaxtyping", "--jaxtyping-packages=brainox,beartype.beartype"]


def _pytest(session: nox.Session, **env: str) -> None:
    session.install(".", *TEST)
    # No `success_codes`: pytest's exit code 5 (no tests collected) fails too.
    session.run("pytest", *JAXTYPING, *session.posargs, env=env)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (4 simulated CPU devices, runtime type checks)."""
    _pytest(session)


@nox.session
def tests_x64(session: nox.Session) -> None:
    """Run the test suite with 64-bit floats enabled (JAX_ENABLE_X64=1)."""
    _pytest(session, JAX_ENABLE_X64="1")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, and pyright on src/."""
    session.install(".", *LINT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("pyright", "src")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ (`mkdocs build --strict`)."""
    session.install(".", *DOCS)
    env = {"NO_MKDOCS_2_WARNING": "1"}  # silence mkdocs-material's banner
    session.run("mkdocs", "build", "--strict", *session.posargs, env=env)


def _scripts(session: nox.Session, folder: str) -> list[str]:
    scripts = sorted(glob.glob(os.path.join(folder, "*.py")))
    if not scripts:
        session.error(f"no scripts found in {folder}/")
    return scripts


@nox.session
def examples(session: nox.Session) -> None:
    """Run every examples/*.py at a small size (`--small --out <tmpdir>`)."""
    session.install(".[plot,progress,data,nir,neo]")
    out = session.create_tmp()
    env = {"MPLBACKEND": "Agg"}
    for script in _scripts(session, "examples"):
        name = os.path.splitext(os.path.basename(script))[0]
        target = os.path.join(out, name)
        session.run("python", script, "--small", "--out", target, env=env)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: COBA, 4000 LIF neurons, 1 s. Prints rates, wall time, PNG."""
    session.install(".[plot]")
    env = {"MPLBACKEND": "Agg"}
    session.run("python", "examples/coba.py", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmark scripts in benchmarks/ (each against its baseline)."""
    session.install(".")
    for script in _scripts(session, "benchmarks"):
        session.run("python", script, *session.posargs)


@nox.session(venv_backend="none")
def peers(session: nox.Session) -> None:
    """Run the Brian2/BrainPy peer scripts, interleaved (see benchmarks/peers/)."""
    session.run("python", "benchmarks/peers/run_peers.py", *session.posargs)
