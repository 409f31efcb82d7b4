"""pytest fixtures shared by the tests of the pages (loaded by tests/conftest.py)."""
