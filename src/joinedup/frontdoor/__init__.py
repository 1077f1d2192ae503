"""The front door: contacts in, known-people checks, ratings and their clocks, domain events."""
