"""Run every benchmark in this folder and print what each measured (see README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

for script in sorted(HERE.glob("*.py")):
    if script.name == "run.py":
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
