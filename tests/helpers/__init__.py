"""Helpers shared by the test modules (an importable package: ``from helpers.terminal import ...``)."""
