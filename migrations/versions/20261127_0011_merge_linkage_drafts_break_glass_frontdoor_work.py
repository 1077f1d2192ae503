"""Merge the four branches built side by side from 0006: linkage, contact drafts, break-glass
reviews and the front door's research, decisions and feedback.

Revision ID: 0011
Revises: 0007, 0008, 0009, 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0011"
down_revision = ("0007", "0008", "0009", "0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
