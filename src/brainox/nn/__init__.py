"""Spiking layers that compose with `equinox.nn`, and training helpers."""
