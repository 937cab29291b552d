"""codesign: the workflow engine for co-design between public administrations and the Third Sector."""
from codesign.app import MODULES, create_app

__all__ = ["MODULES", "create_app"]
