"""Use cases of the loan, one module per group of actions."""
