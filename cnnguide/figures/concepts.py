"""Placeholder: filled in by the concepts work."""

__all__: list[str] = []
