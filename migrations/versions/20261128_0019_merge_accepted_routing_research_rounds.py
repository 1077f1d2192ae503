"""Merge the two branches built side by side from 0016: routed contacts accepted by their
worker, and research rounds with managers' decisions on who a person named is.

Revision ID: 0019
Revises: 0017, 0018
Create Date: 2026-11-28
"""

from __future__ import annotations

revision = "0019"
down_revision = ("0017", "0018")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
