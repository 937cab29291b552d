"""Funding opportunities: the calls that municipalities and bodies could answer next (DOMAIN.md)."""
