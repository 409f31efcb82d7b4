"""Test data of the documents feature."""
