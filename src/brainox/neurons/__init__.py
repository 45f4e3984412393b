"""Neuron models, one small file per family."""
