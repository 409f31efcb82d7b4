"""The 5321 small loan (扶贫小额信贷)."""
