"""The hub as an app factory for `python -m uvicorn support.app:create --factory`.

Reads the usual JOINEDUP_* variables (JOINEDUP_DATABASE_URL, JOINEDUP_DATA_DIR,
JOINEDUP_SECRET_KEY), exactly as `joinedup serve` does, and builds the same app.
"""

from __future__ import annotations

from fastapi import FastAPI

from joinedup.config import load_settings
from joinedup.web.app import create_app


def create() -> FastAPI:
    return create_app(load_settings())
