"""Build hook: the wheel carries the front-end libraries (htmx, Chart.js, Swagger UI) as package data.

They are pinned npm packages (package.json, package-lock.json) installed into node_modules by `npm ci`
and never committed; at build time they are copied into referat/web/vendor/ so that an installed
wheel serves live search, charts and the API explorer with no checkout beside it. src/referat/web/
assets.json names the files (the web app reads the same list). An sdist carries the copies too, so a
wheel built from it needs no node_modules. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
WEB = Path("src", "referat", "web")


def vendor_sources() -> dict[str, Path]:
    """file name -> where to copy it from: node_modules, or the copy an sdist carries."""
    names = json.loads((ROOT / WEB / "assets.json").read_text(encoding="utf-8"))
    out, missing = {}, []
    for name, inside in names.items():
        for path in (ROOT / "node_modules" / inside, ROOT / WEB / "vendor" / name):
            if path.is_file():
                out[name] = path
                break
        else:
            missing.append(inside)
    if missing:
        raise SystemExit(f"front-end libraries missing: {', '.join(missing)}; run `npm ci --ignore-scripts` "
                         "(or `make`) before building the wheel")
    return out


def copy_vendor(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, path in vendor_sources().items():
        shutil.copyfile(path, target / name)


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:  # an editable install reads node_modules in place
            copy_vendor(Path(self.build_lib, "referat", "web", "vendor"))


class Sdist(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        copy_vendor(Path(base_dir) / WEB / "vendor")


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
