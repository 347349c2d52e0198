"""Smertespor's domain core: clinical calculations and rules in plain Python.

Nothing in this package imports Django or the ``smertespor`` apps (import-linter checks it).
"""
