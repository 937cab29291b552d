"""Agreements (convenzioni, art. 11 L. 241/1990) from the final project, their PDF, signature and start-up."""
