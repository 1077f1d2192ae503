"""Merge the two branches built side by side from 0011: linkage review decisions and the
retention job's anonymised contacts.

Revision ID: 0014
Revises: 0012, 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

revision = "0014"
down_revision = ("0012", "0013")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
