"""The household register (建档立卡户)."""
