"""Imports every module's models, so that the metadata is complete (for Alembic and the drift test)."""


def load_all() -> None:
    import importlib

    for mod in MODEL_MODULES:
        importlib.import_module(mod)


MODEL_MODULES = [
    "codesign.auth.models",
    "codesign.organizations.models",
    "codesign.core.audit",
    "codesign.core.mail",
    "codesign.procedures.models",
    "codesign.proposals.models",
    "codesign.evaluation.models",
]
