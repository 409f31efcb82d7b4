"""Test factories of the subsidies feature."""
