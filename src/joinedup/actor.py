"""Who is acting: passed explicitly to every service, never read from a web request."""

from __future__ import annotations

from dataclasses import dataclass, field

from joinedup.directory.rules import AgencyKind, Role


@dataclass(frozen=True)
class Actor:
    """A signed-in professional (or the system itself, for jobs and commands run by an operator)."""

    label: str
    user_id: int | None = None
    professional_id: int | None = None
    agency_id: int | None = None
    agency_kind: AgencyKind | None = None
    area_id: int | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @classmethod
    def system(cls, label: str) -> Actor:
        """The hub acting for an operator's command (`joinedup demo`, `joinedup users add`)."""
        return cls(label=f"system: {label}")

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    def has(self, role: Role) -> bool:
        return role in self.roles
