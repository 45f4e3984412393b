"""Interoperability with NIR and Neo (optional extras, imported lazily)."""
