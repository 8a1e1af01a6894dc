"""What every area's form views share."""

from flask import render_template

from .errors import DomainError


def refuse(form, template: str, exc: DomainError, **context):
    """Re-render a form with a service's refusal on its field (or the whole form), keeping what was typed."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
    return render_template(template, form=form, **context), exc.status
