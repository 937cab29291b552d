"""Helpers to carry domain errors (Invalid) back onto WTForms fields."""
from codesign.core.errors import DomainError, Invalid


def apply_errors(form, exc: DomainError) -> str | None:
    """Attach per-field messages to the form; return the message that belongs to no field."""
    if isinstance(exc, Invalid):
        leftover = []
        for name, message in exc.fields.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
            else:
                leftover.append(f"{name}: {message}")
        return "; ".join(leftover) or None
    return exc.message


def choice_list(pairs):
    """(value, label) pairs as WTForms SelectChoice objects."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]
