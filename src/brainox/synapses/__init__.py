"""Synapse models: kinetics kept on the post-synaptic side, one small file each."""

from .exponential import Exponential as Exponential


__all__ = ["Exponential"]
