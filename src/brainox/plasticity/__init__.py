"""Synaptic plasticity rules acting on projections."""
