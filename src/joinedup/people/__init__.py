"""The master person index: agency records, the people they describe, and households."""
