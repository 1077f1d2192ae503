"""Sign-in: users, passwords, sessions, throttling and API tokens."""
