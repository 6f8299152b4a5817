"""The lock files: every install (make, .ci/run, the image) takes exactly the locked releases.

`make lock` writes requirements.lock (what the image runs) and requirements-dev.lock (that
plus the tools and tests) from pyproject.toml, with a hash for each file of each release.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"runtime": ROOT / "requirements.lock", "dev": ROOT / "requirements-dev.lock"}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})+)$")


def entries(text: str) -> list[str]:
    """The lock's requirement lines, each with its continuation lines joined."""
    joined = re.sub(r"\s*\\\n\s*", " ", text)
    lines = (line.split("#", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line]


def pins(path: Path) -> dict[str, str]:
    """name -> pinned version, failing on any line that is not `name==version --hash=...`."""
    found: dict[str, str] = {}
    for entry in entries(path.read_text()):
        match = PIN.match(entry)
        assert match, f"{path.name}: not an exact pin with hashes: {entry[:80]}"
        found[canonicalize_name(match[1])] = match[2]
    return found


RUNTIME = pins(LOCKS["runtime"])
DEV = pins(LOCKS["dev"])


def test_a_pin_reads_with_its_hashes_and_without_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "ok.lock"
    path.write_text("# header\nFoo_Bar==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via b\n")
    assert pins(path) == {"foo-bar": "1.0"}


def test_an_unhashed_or_loose_line_is_refused(tmp_path: Path) -> None:
    for bad in ["fastapi==0.165.0", "fastapi>=0.163 --hash=sha256:" + "0" * 64, "-e ."]:
        path = tmp_path / "bad.lock"
        path.write_text(bad + "\n")
        with pytest.raises(AssertionError, match="not an exact pin"):
            pins(path)


def _satisfied(requirements: list[str], locked: dict[str, str], lock: str) -> None:
    for line in requirements:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in {lock}"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"{lock} pins {req.name}=={locked[name]}, outside pyproject.toml's {req.specifier}"
        )


def test_every_pyproject_dependency_is_pinned_within_its_range() -> None:
    project = PYPROJECT["project"]
    build = PYPROJECT["build-system"]["requires"]  # the image builds the project offline
    _satisfied([*project["dependencies"], *build], RUNTIME, "requirements.lock")
    dev = project["optional-dependencies"]["dev"]
    _satisfied([*project["dependencies"], *dev, *build], DEV, "requirements-dev.lock")


def test_the_dev_lock_runs_the_same_releases_as_the_image() -> None:
    assert {name: DEV.get(name) for name in RUNTIME} == RUNTIME


def _installed(name: str) -> metadata.Distribution:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{name} is locked but not installed: run `make install`")
    assert dist.version == DEV[name], f"{name} {dist.version} installed, {DEV[name]} locked"
    return dist


def test_the_dev_lock_holds_what_its_roots_need_and_nothing_else() -> None:
    """From pyproject.toml's requirements down, through each release's own requirements
    (with the extras asked for, on Python 3.11 linux): all locked at versions they accept,
    and every pin reached. Read from the installed metadata (`make install` installed the
    dev lock), so no network."""
    project = PYPROJECT["project"]
    roots = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    todo = [("linggong (pyproject.toml)", Requirement(line)) for line in roots]
    todo += [("build-system", Requirement(line)) for line in PYPROJECT["build-system"]["requires"]]
    done: set[tuple[str, str]] = set()
    older_311: set[str] = set()
    while todo:
        wanted_by, req = todo.pop()
        name = canonicalize_name(req.name)
        assert name in DEV, f"{wanted_by} needs {req}, which is not locked"
        assert req.specifier.contains(DEV[name], prereleases=True), (
            f"{wanted_by} needs {req}, the lock has {DEV[name]}"
        )
        for extra in ["", *sorted(req.extras)]:
            if (name, extra) in done:
                continue
            done.add((name, extra))
            for line in _installed(name).requires or []:
                sub = Requirement(line)
                if sub.marker is None or sub.marker.evaluate({"extra": extra}):
                    todo.append((name, sub))
                elif sub.marker.evaluate({"extra": extra, "python_full_version": "3.11.0"}):
                    older_311.add(canonicalize_name(sub.name))  # locked for any 3.11.x
    assert older_311 <= set(DEV), f"not locked for Python 3.11.0: {older_311 - set(DEV)}"
    reached = {name for name, _extra in done} | older_311
    assert set(DEV) <= reached, f"locked but needed by nothing: {sorted(set(DEV) - reached)}"


def test_itsdangerous_is_gone_and_the_fast_path_versions_are_bounded() -> None:
    listed = map(Requirement, PYPROJECT["project"]["dependencies"])
    deps = {canonicalize_name(req.name): req for req in listed}
    assert "itsdangerous" not in deps and "itsdangerous" not in RUNTIME
    # web/live/wire.py reaches into uvicorn's `websockets` protocol (tested 0.30 to 0.54)
    assert not deps["uvicorn"].specifier.contains("0.55.0")
    assert not deps["websockets"].specifier.contains("18.0")
    assert not deps["fastapi"].specifier.contains("0.162.9")  # Depends(max_concurrency=)


def test_make_installs_from_the_dev_lock_and_keys_its_stamp_on_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install -q --no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^LOCKS\s*:=\s*requirements\.lock requirements-dev\.lock$", makefile, re.M)
    assert re.search(r"^STAMP .*cat pyproject\.toml \$\(LOCKS\)", makefile, re.M)
    assert re.search(r"^\$\(STAMP\): pyproject\.toml \$\(LOCKS\)$", makefile, re.M)
    assert not re.search(r"pip install[^\n]*'\.\[dev\]'", makefile)  # never unlocked again
    assert re.search(r"^lock:", makefile, re.M)


def test_ci_goes_through_make_install() -> None:
    ci = (ROOT / ".ci/run").read_text()
    assert "pip install" not in ci  # nothing beside the lock
    assert re.search(r"^make test$", ci, re.M)
    assert re.search(r"^test: lint typecheck$", (ROOT / "Makefile").read_text(), re.M)
    assert re.search(r"^lint: install$", (ROOT / "Makefile").read_text(), re.M)


def test_the_image_installs_the_runtime_lock_then_the_project_alone() -> None:
    runs = re.findall(r"^RUN (.*)$", (ROOT / "Dockerfile").read_text(), re.M)
    pip_runs = [run for run in runs if "pip install" in run]
    assert pip_runs[0] == "pip install --require-hashes -r requirements.lock"
    assert pip_runs[1].startswith("pip install --no-deps --no-build-isolation -e . ")
    assert len(pip_runs) == 2
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.index("COPY requirements.lock ./") < dockerfile.index(pip_runs[0])


@pytest.mark.slow
def test_make_lock_would_write_the_same_locks(tmp_path: Path) -> None:
    """`make lock` on copies of the locks changes nothing: they match pyproject.toml.
    Asks the package index (uv keeps the pins it is given while they still fit)."""
    if not (ROOT / ".venv/bin/uv").exists():
        pytest.skip("uv is not installed (it is in the dev lock: `make install`)")
    for path in LOCKS.values():
        shutil.copy(path, tmp_path / path.name)
    done = subprocess.run(
        ["make", "-s", "lock", f"LOCK_DIR={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    if done.returncode != 0 and re.search(
        r"(?i)network|dns|connect|offline|failed to fetch|sending request", done.stderr
    ):
        pytest.skip(f"the package index cannot be reached: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr
    for path in LOCKS.values():  # the pins and hashes; the comments name the folder
        again = entries((tmp_path / path.name).read_text())
        assert again == entries(path.read_text()), f"`make lock` changes {path.name}"
