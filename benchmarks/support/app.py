"""The hub as an app factory for `python -m uvicorn support.app:create --factory`.

Reads the usual JOINEDUP_* variables (JOINEDUP_DATABASE_URL, JOINEDUP_DATA_DIR,
JOINEDUP_SECRET_KEY) and builds exactly the app each worker of `joinedup serve --workers N`
builds.
"""

from __future__ import annotations

from joinedup.cli.serve import worker_app as create

__all__ = ["create"]
