"""What the tests are built on: the test databases, the app fixtures, statement counting.

Each feature keeps its own fixtures and factories in ``loanflow/<feature>/testing/``;
``tests/conftest.py`` loads every ``fixtures`` module with ``pytest_plugins``. Nothing
here is imported by the running service.
"""
