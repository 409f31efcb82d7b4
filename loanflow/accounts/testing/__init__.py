"""Test fixtures of the accounts feature."""
