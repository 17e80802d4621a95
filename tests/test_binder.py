"""The Binder configuration and `make lab`, checked offline.

repo2docker (Binder) reads binder/: runtime.txt (the Python version),
requirements.txt (the pins) and postBuild (installs the package). JupyterLab,
on Binder and in `make lab`, reads .jupyter/labconfig/ for the setting that
opens MyST chapters as notebooks. Nothing here needs a network: the tests read
the files and ask the installed packages what they would do with them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
LABCONFIG = ROOT / ".jupyter" / "labconfig" / "default_setting_overrides.json"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: in requirements.txt, not on Binder: they drive chromium in the browser tests
NOT_ON_BINDER = {"playwright", "greenlet"}
#: on Binder, not in requirements.txt (pip freeze leaves them out)
ONLY_ON_BINDER = {"setuptools", "wheel"}


def pins(path: Path) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{path.name}: {line!r} is not pinned with =="
        found[canonicalize_name(name)] = version
    return found


def options(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("-")]


ROOT_PINS = pins(ROOT / "requirements.txt")
BINDER_PINS = pins(BINDER / "requirements.txt")


def runtime_version() -> Version:
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f"binder/runtime.txt must read python-X.Y, not {text!r}"
    return Version(match.group(1))


# --- Python version ----------------------------------------------------------


def test_runtime_is_the_lowest_python_the_package_allows():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spec = SpecifierSet(project["requires-python"])
    runtime = runtime_version()
    assert runtime in spec
    lower = Version(f"{runtime.major}.{runtime.minor - 1}")
    assert lower not in spec, (
        f"pyproject.toml allows Python {lower}, but Binder runs {runtime}: make them agree"
    )


def test_every_installed_pin_supports_the_runtime_python():
    """The pins decide the lowest Python: each must run on some release of runtime.txt's X.Y."""
    runtime = runtime_version()
    series = [Version(f"{runtime.major}.{runtime.minor}.{patch}") for patch in range(100)]
    checked = 0
    for name, version in BINDER_PINS.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        requires = dist.metadata.get("Requires-Python")
        if requires:
            assert any(v in SpecifierSet(requires) for v in series), (
                f"{name}=={version} needs Python {requires}, Binder runs {runtime}"
            )
        checked += 1
    assert checked > len(BINDER_PINS) // 2, "too few pins installed here to check"


# --- the pins ----------------------------------------------------------------


def test_binder_pins_agree_with_the_book_pins():
    for name, version in BINDER_PINS.items():
        if name in ONLY_ON_BINDER:
            continue
        expected = ROOT_PINS.get(name)
        assert expected is not None, f"binder/requirements.txt pins {name}, requirements.txt not"
        if name == "torch":
            continue
        assert version == expected, f"{name}: Binder {version}, requirements.txt {expected}"
    missing = set(ROOT_PINS) - set(BINDER_PINS) - NOT_ON_BINDER
    assert not missing, f"requirements.txt pins {sorted(missing)}, binder/requirements.txt not"


def test_torch_is_the_cpu_build_of_the_same_release():
    torch_pin = Version(BINDER_PINS["torch"])
    assert torch_pin.local == "cpu", "pin torch==X+cpu, PyTorch's CPU build"
    assert torch_pin.public == Version(ROOT_PINS["torch"]).public
    assert f"--extra-index-url {CPU_INDEX}" in options(BINDER / "requirements.txt") or (
        f"--index-url {CPU_INDEX}" in options(BINDER / "requirements.txt")
    ), "the CPU wheels live on PyTorch's own index"
    cuda = [n for n in BINDER_PINS if n.startswith("nvidia-") or n == "triton"]
    assert not cuda, f"CUDA companions pinned: {cuda}"


def test_what_torch_and_the_book_need_is_pinned():
    """Every requirement of every pinned, installed package is pinned too, and satisfied."""
    for name in BINDER_PINS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            dep = canonicalize_name(req.name)
            assert dep in BINDER_PINS, f"{name} needs {req}, which Binder does not pin"
            assert req.specifier.contains(BINDER_PINS[dep], prereleases=True), (
                f"{name} needs {req}, Binder pins {dep}=={BINDER_PINS[dep]}"
            )


def test_binder_has_the_widget_and_jupytext_extensions():
    for name in ("jupyterlab", "jupytext", "ipywidgets", "jupyterlab-widgets", "ipykernel"):
        assert name in BINDER_PINS, f"{name} is missing from binder/requirements.txt"


def test_post_build_installs_the_package_and_the_lab_setting():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only if it is executable"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash")
    assert re.search(r"pip install .*-e \.", text), "postBuild must install the package"
    assert str(LABCONFIG.relative_to(ROOT)) in text
    assert not (BINDER / "environment.yml").exists(), "environment.yml would override runtime.txt"


def test_no_placeholder_repository_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url") or ""
    assert not re.search(r"example|OWNER|REPOSITORY|your-?name", url, re.IGNORECASE), url


# --- MyST chapters open as notebooks -----------------------------------------


def test_lab_setting_opens_markdown_with_jupytext():
    overrides = json.loads(LABCONFIG.read_text(encoding="utf-8"))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook"  # .md files are file type "markdown"


def test_lab_setting_names_what_the_installed_extensions_register():
    prefix = Path(sys.prefix) / "share" / "jupyter"
    schema = prefix / "lab" / "schemas" / "@jupyterlab" / "docmanager-extension" / "plugin.json"
    jupytext_js = list((prefix / "labextensions" / "jupyterlab-jupytext").rglob("*.js"))
    if not schema.is_file() or not jupytext_js:
        pytest.skip("JupyterLab or jupytext's lab extension is not installed here")
    assert "defaultViewers" in json.loads(schema.read_text(encoding="utf-8"))["properties"]
    code = "".join(p.read_text(encoding="utf-8", errors="replace") for p in jupytext_js)
    assert '"Jupytext Notebook"' in code
    viewers = json.loads(LABCONFIG.read_text(encoding="utf-8"))[
        "@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    for file_type in viewers:
        assert f'"{file_type}"' in code, f"jupytext registers no file type {file_type!r}"


def test_jupyterlab_reads_the_setting_from_the_config_path(monkeypatch, tmp_path):
    settings_utils = pytest.importorskip("jupyterlab_server.settings_utils")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(LABCONFIG.parents[1]))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))  # no user settings
    overrides, error = settings_utils._get_overrides(str(tmp_path / "app-settings"))
    assert not error
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_serves_the_root_and_opens_the_first_chapters_reading_copy():
    run = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(ROOT), "lab"],
                         capture_output=True, text=True, check=True)
    command = run.stdout.replace("\\\n", " ")
    line = next(line for line in command.splitlines() if " lab " in f"{line} ")
    assert f"JUPYTER_CONFIG_PATH=\"{LABCONFIG.parents[1]}" in line
    assert f'--ServerApp.root_dir="{ROOT}"' in line
    opened = line.split()[-1]
    assert opened == "notebooks/01_recurrence.ipynb" and (ROOT / opened).is_file()
