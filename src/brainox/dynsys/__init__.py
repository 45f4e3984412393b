"""Dynamical-systems tools: fixed points, stability, nullclines, bifurcations."""
