"""Build the web app's front-end assets from the packages that package-lock.json pins.

Run by `make assets` after `npm ci`. GOV.UK Frontend's Sass is compiled with joinedup's own
settings (src/joinedup/web/styles) and its JavaScript copied beside it,
with Swagger UI for the API reference. The output is ignored
by git; rerun after changing a version or a style.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
STYLES = ROOT / "src" / "joinedup" / "web" / "styles" / "joinedup.scss"
TARGET = ROOT / "src" / "joinedup" / "web" / "static" / "vendor"


def main() -> int:
    govuk = MODULES / "govuk-frontend"
    if not (govuk / "dist").is_dir() or not (MODULES / ".bin" / "sass").exists():
        print("Front-end packages are not installed: run `npm ci` first.", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    (TARGET / "govuk").mkdir(parents=True)
    subprocess.run(
        [
            str(MODULES / ".bin" / "sass"),
            f"--load-path={MODULES}",
            "--style=compressed",
            "--no-source-map",
            "--quiet-deps",
            str(STYLES),
            str(TARGET / "joinedup.css"),
        ],
        check=True,
    )
    shutil.copy2(govuk / "dist" / "govuk" / "govuk-frontend.min.js", TARGET / "govuk")
    # Swagger UI for the API reference at /api/docs, served from here rather than a CDN.
    (TARGET / "swagger-ui").mkdir()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        shutil.copy2(MODULES / "swagger-ui-dist" / name, TARGET / "swagger-ui" / name)
    version = json.loads((govuk / "package.json").read_text())["version"]
    (TARGET / "govuk" / "NOTICE.txt").write_text(
        f"GOV.UK Frontend {version}, MIT licence, Crown copyright; installed from npm.\n"
    )
    (TARGET / ".built").write_text(f"govuk-frontend {version}\n")
    print(f"Built joinedup.css with GOV.UK Frontend {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
