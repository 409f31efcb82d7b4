"""Users, logins and API tokens."""
