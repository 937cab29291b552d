"""Helpers to carry domain errors (Invalid) back onto WTForms fields."""
from wtforms.fields.choices import SelectChoice

from codesign.core.errors import DomainError, Invalid


def apply_errors(form, exc: DomainError) -> str | None:
    """Attach per-field messages to the form; return the message that belongs to no field."""
    if isinstance(exc, Invalid):
        leftover = []
        for name, message in exc.fields.items():
            field = _field_at(form, name)
            if field is not None and hasattr(field, "errors") and not isinstance(field.errors, dict):
                field.errors = list(field.errors) + [message]
            else:
                leftover.append(f"{name}: {message}")
        return "; ".join(leftover) or None
    return exc.message


def _field_at(form, path: str):
    """The field a domain path names: `title`, or `activities.0.end_month` inside a FieldList of FormFields."""
    node = form
    for part in path.split("."):
        if part.isdigit():
            entries = getattr(node, "entries", None)
            node = entries[int(part)] if entries is not None and int(part) < len(entries) else None
        else:
            node = getattr(getattr(node, "form", node), part, None)
        if node is None:
            return None
    return node


def choice_list(pairs):
    """(value, label) pairs as WTForms SelectChoice objects."""
    return [SelectChoice(value, label) for value, label in pairs]
