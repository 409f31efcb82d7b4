"""Test fixtures and factories of the loans feature."""
