"""How a ledger entry is hashed. Pure, so verification and appending cannot drift apart."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    *,
    prev_hash: str,
    at_iso: str,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
) -> str:
    """The sha256 over the previous hash and every field of the entry."""
    body = canonical_json(
        {
            "prev": prev_hash,
            "at": at_iso,
            "actor_user_id": actor_user_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "detail": detail,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()
