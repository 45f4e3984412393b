"""Interoperability with NIR and Neo (optional extras, imported lazily)."""

from .neo import from_neo as from_neo, to_neo as to_neo
from .nir import Scale as Scale, from_nir as from_nir, to_nir as to_nir
