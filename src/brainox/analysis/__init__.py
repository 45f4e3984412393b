"""Spike-train and population analysis."""
