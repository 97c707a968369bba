"""Staff accounts, roles, permissions, login, two-factor and sessions."""
