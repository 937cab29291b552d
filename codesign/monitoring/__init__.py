"""Monitoring of the funded projects: the reporting calendar generated at `start` and the periodic reports."""
