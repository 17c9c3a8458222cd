"""environment.yml, requirements.lock and pyproject.toml agree on what is installed."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
NOT_PIP_PACKAGES = {"python"}  # conda-only entries of environment.yml


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert match, f"requirements.lock:{number}: not an exact pin: {line!r}"
        name = normalise(match[1])
        assert name not in pins, f"requirements.lock:{number}: {name} pinned twice"
        pins[name] = match[2]
    return pins


def environment_pins() -> dict[str, str]:
    document = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in document["dependencies"]:
        assert isinstance(entry, str), f"environment.yml: unexpected entry {entry!r}"
        name, separator, version = entry.partition("=")
        assert separator and version and not version.startswith("="), (
            f"environment.yml: {entry!r} is not pinned as name=version"
        )
        pins[normalise(name.strip())] = version.strip()
    return pins


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    return [Requirement(text) for text in texts]


def test_lock_parses():
    pins = lock_pins()
    assert len(pins) > 50
    assert "riskengine" not in pins  # the project itself is installed editable


def test_environment_yml_agrees_with_lock():
    lock = lock_pins()
    mismatches = []
    for name, version in environment_pins().items():
        if name in NOT_PIP_PACKAGES:
            continue
        if name not in lock:
            mismatches.append(f"{name}: environment.yml {version}, not in requirements.lock")
        elif lock[name] != version:
            mismatches.append(f"{name}: environment.yml {version}, requirements.lock {lock[name]}")
    assert not mismatches, "\n".join(mismatches)


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = environment_pins()["python"]
    assert Requirement(f"python{project['requires-python']}").specifier.contains(f"{python}.0")


def test_every_pyproject_dependency_is_pinned_and_allowed():
    lock = lock_pins()
    problems = []
    for requirement in pyproject_requirements():
        name = normalise(requirement.name)
        if name not in lock:
            problems.append(f"{requirement}: not pinned in requirements.lock")
        elif not requirement.specifier.contains(lock[name], prereleases=True):
            problems.append(f"{requirement}: requirements.lock pins {lock[name]}")
    assert not problems, "\n".join(problems)


def _closure(requirements: list[Requirement]) -> dict[str, str]:
    """Every distribution the requirements pull in (installed metadata), name -> wanted by."""
    environment = default_environment()
    seen: dict[str, str] = {}
    todo = [(requirement, "pyproject.toml") for requirement in requirements]
    while todo:
        requirement, wanted_by = todo.pop()
        name = normalise(requirement.name)
        extras = set(requirement.extras)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen[key] = wanted_by
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # reported by the lock check below
        for text in requires:
            child = Requirement(text)
            wanted = child.marker is None or any(
                child.marker.evaluate({**environment, "extra": extra}) for extra in extras | {""}
            )
            if wanted:
                todo.append((child, name))
    return {key.split("[")[0]: by for key, by in seen.items()}


def test_lock_is_closed_under_installed_requirements():
    lock = lock_pins()
    missing = [
        f"{name} (required by {wanted_by})"
        for name, wanted_by in sorted(_closure(pyproject_requirements()).items())
        if name not in lock and name != "riskengine"
    ]
    assert not missing, "not pinned in requirements.lock: " + ", ".join(missing)


def test_netcdf_backend_is_pinned():
    lock, environment = lock_pins(), environment_pins()
    assert "h5py" in lock, "requirements.lock has no h5py"
    assert "h5py" in environment, "environment.yml has no h5py"
