"""How the partnership works, area by area: aggregates only, never a person."""
