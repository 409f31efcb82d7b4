"""Pure rules shared by every feature: no flask, no sqlalchemy."""
