"""Test factories of the households feature: register sheets, id and card numbers."""
