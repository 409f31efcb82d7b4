"""Pure rules of the subsidy: amounts and caps."""
