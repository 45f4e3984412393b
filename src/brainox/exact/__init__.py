"""Exact event-driven simulation: spike times found by root finding."""
