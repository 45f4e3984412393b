"""Plots of recordings and phase planes (needs the `plot` extra: matplotlib)."""
