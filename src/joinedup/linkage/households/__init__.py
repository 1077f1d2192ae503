"""Households: which master persons live together, and each one's place in the household.

`rules.py` works it out from the agency records (pure), `services.py` writes it into the
people index's households and memberships, keeping every membership that ends.
"""
