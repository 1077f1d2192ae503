"""GOV.UK error summaries from a form's field errors."""

from __future__ import annotations

from typing import Any


def error_summary(errors: dict[str, str]) -> list[dict[str, Any]]:
    """Each error links to its field, in the order the fields appear on the page."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def field(form: Any, name: str) -> str:
    """A text field from a submitted form, trimmed; missing or a file counts as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
