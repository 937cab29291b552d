"""The metropolitan observatory: one catalogue of the territory's projects, whatever funded them (DOMAIN.md)."""
