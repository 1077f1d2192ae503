"""Governed sharing: information sharing agreements, the policy decision, sharing decisions
and break-glass. The rules come from ../shared/domain.md ("The law on sharing")."""
