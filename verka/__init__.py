"""Verka: e-services, executable processes and decisions, measured against goals."""

__version__ = "0.1.0"
