"""Data files the app ships: UI translations, built-in personas, the user guide that seeds
the sample collection, and the general text set that training uses to catch forgetting.

A package so that a wheel carries them (package data in pyproject.toml), not only a
checkout; code finds them through ROOT.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
