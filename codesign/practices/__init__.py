"""Good practices: a project of the catalogue, of either origin, written up for others to reuse."""
