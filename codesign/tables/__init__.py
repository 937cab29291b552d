"""Co-design tables (tavoli di co-progettazione): meetings, shared documents, project versions, the
final check of `finalize`, and the scrolling of the ranking."""
