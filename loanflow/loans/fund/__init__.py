"""The county's risk compensation fund (风险补偿金)."""
