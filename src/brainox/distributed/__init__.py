"""Simulation sharded across devices, and parameter sweeps."""
