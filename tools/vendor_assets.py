"""Stage the JavaScript that the website serves itself.

The built site must not load anything from another host: MathJax, require.js
and the Jupyter widget manager come from ``node_modules`` (installed by
``npm ci`` at the versions pinned in ``package-lock.json``), and the part of
each package that a browser needs is copied into a staging folder.
``_config.yml`` lists that folder in ``html_extra_path``, so Sphinx copies its
contents into the site root. Inside, each package keeps its npm layout::

    _build/vendor/                            (DEST, the default)
      _static/npm/                            a small node_modules
        manifest.json                         versions and files (the site tests read it)
        mathjax/es5/tex-mml-chtml.js          + what it loads lazily: TeX and MathML
                                              extensions, CHTML fonts, menu, a11y, SRE
        requirejs/require.js
        @jupyter-widgets/html-manager/dist/embed-amd.js
                                              + the fonts it loads from its own folder

Pages reach these files as ``_static/npm/...``, like any static file, so
Sphinx writes page-relative URLs for them. The npm layout matters for the
widget manager: it works out where its fonts are from its require.js module
name (``@jupyter-widgets/html-manager/dist/...``) resolved against the
``baseUrl`` that the pages give require.js (``_static/npm/``).

Running it again copies only what changed and deletes what no longer belongs,
so it is cheap to call before every build.

Usage::

    python tools/vendor_assets.py [--dest _build/vendor] [--node-modules DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SUBDIR = Path("_static", "npm")
MANIFEST = "manifest.json"


class VendorError(RuntimeError):
    """Something the reader has to fix before the site can be built."""


def _tree(pkg: Path, sub: str) -> list[str]:
    top = pkg / sub
    if not top.is_dir():
        raise VendorError(f"{top} is missing; run `npm ci` in {ROOT}")
    return sorted(p.relative_to(pkg).as_posix() for p in top.rglob("*")
                  if p.is_file() and not p.name.endswith(".map"))


def _mathjax(pkg: Path) -> list[str]:
    # The combined component holds the TeX and MathML inputs, the CHTML output
    # and the menu. What it may fetch later, relative to its own URL: TeX
    # packages (autoload, \require), MathML extensions, the woff fonts, the
    # menu's accessibility tools and the speech rule engine with its maps.
    files = ["LICENSE", "es5/tex-mml-chtml.js"]
    for sub in ("input/tex/extensions", "input/mml/extensions", "output/chtml/fonts/woff-v2",
                "ui", "a11y", "sre"):
        files += _tree(pkg, f"es5/{sub}")
    return files


def _requirejs(pkg: Path) -> list[str]:
    return ["require.js"]  # its licence is in its header


def _html_manager(pkg: Path) -> list[str]:
    # embed-amd.js bundles base, controls and the manager. Its stylesheets
    # name fonts (FontAwesome) by hashed file names, fetched from its own
    # folder: take every dist file it mentions by name.
    bundle = pkg / "dist" / "embed-amd.js"
    if not bundle.is_file():
        raise VendorError(f"{bundle} is missing; run `npm ci` in {ROOT}")
    text = bundle.read_text(encoding="utf-8", errors="replace")
    named = set(re.findall(r"[\w.-]+\.(?:woff2?|ttf|eot|svg|png|gif)\b", text))
    return ["LICENSE", "dist/embed-amd.js"] + [
        f"dist/{name}" for name in sorted(named) if (pkg / "dist" / name).is_file()]


# npm package -> the function that lists its files the site needs
PACKAGES = {
    "mathjax": _mathjax,
    "requirejs": _requirejs,
    "@jupyter-widgets/html-manager": _html_manager,
}


def locked_versions(lockfile: Path) -> dict[str, str]:
    """Return the version of each vendored package pinned in package-lock.json."""
    if not lockfile.is_file():
        raise VendorError(f"{lockfile} is missing; it pins the versions of the site's JavaScript")
    entries = json.loads(lockfile.read_text(encoding="utf-8")).get("packages", {})
    versions = {}
    for name in PACKAGES:
        entry = entries.get(f"node_modules/{name}") or {}
        if "version" not in entry:
            raise VendorError(f"{lockfile} does not pin {name}; add it to package.json "
                              "and run `npm install`")
        versions[name] = entry["version"]
    return versions


def plan(node_modules: Path, lockfile: Path) -> tuple[dict, list[tuple[Path, Path]]]:
    """Work out what to copy: the manifest, and (source, path under _static/npm) pairs."""
    if not node_modules.is_dir():
        raise VendorError(f"{node_modules} does not exist; run `npm ci` in {ROOT} first "
                          "(it installs the versions pinned in package-lock.json)")
    versions = locked_versions(lockfile)
    manifest: dict = {"lockfile": "package-lock.json", "packages": {}}
    copies: list[tuple[Path, Path]] = []
    for name, select in PACKAGES.items():
        pkg = node_modules / name
        meta = pkg / "package.json"
        if not meta.is_file():
            raise VendorError(f"{pkg} is missing; run `npm ci` in {ROOT}")
        installed = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if installed != versions[name]:
            raise VendorError(f"{name} {installed} is installed but package-lock.json pins "
                              f"{versions[name]}; run `npm ci` in {ROOT}")
        files = select(pkg)
        missing = [f for f in files if not (pkg / f).is_file()]
        if missing:
            raise VendorError(f"{name} lacks {', '.join(missing)}; run `npm ci` in {ROOT}")
        manifest["packages"][name] = {
            "version": installed,
            "files": {f: (pkg / f).stat().st_size for f in files},
        }
        copies += [(pkg / f, Path(name, f)) for f in files]
    return manifest, copies


def _same(src: Path, dst: Path) -> bool:
    if not dst.is_file():
        return False
    a, b = src.stat(), dst.stat()
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def sync(dest: Path, manifest: dict, copies: list[tuple[Path, Path]]) -> tuple[int, int]:
    """Make ``dest/_static/npm`` hold exactly the planned files; return (written, removed)."""
    root = dest / SITE_SUBDIR
    wanted = {rel for _, rel in copies} | {Path(MANIFEST)}
    written = removed = 0
    for src, rel in copies:
        dst = root / rel
        if not _same(src, dst):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)  # keeps the mtime, so the next run can skip it
            written += 1
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    mpath = root / MANIFEST
    if not mpath.is_file() or mpath.read_text(encoding="utf-8") != text:
        mpath.write_text(text, encoding="utf-8")
        written += 1
    for path in sorted(root.rglob("*"), reverse=True):  # children before their folders
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.relative_to(root) not in wanted:
            path.unlink()
            removed += 1
    return written, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=ROOT / "_build" / "vendor",
                        help="staging folder listed in html_extra_path (default: _build/vendor)")
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules",
                        help="where `npm ci` installed the packages (default: ./node_modules)")
    parser.add_argument("--lockfile", type=Path, default=ROOT / "package-lock.json")
    args = parser.parse_args(argv)
    try:
        manifest, copies = plan(args.node_modules, args.lockfile)
        written, removed = sync(args.dest, manifest, copies)
    except VendorError as err:
        print(f"vendor_assets: {err}", file=sys.stderr)
        return 1
    versions = ", ".join(f"{n} {p['version']}" for n, p in manifest["packages"].items())
    print(f"vendor_assets: {os.path.relpath(args.dest / SITE_SUBDIR)}: {versions} "
          f"({len(copies)} files; {written} written, {removed} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
