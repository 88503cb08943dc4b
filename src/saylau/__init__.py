"""Saylau: Kazakhstan's maslikhat elections end to end.

Layers, with dependencies pointing inward:

- :mod:`saylau.law` — the electoral law as pure functions over immutable data (no imports
  from the rest);
- :mod:`saylau.reference` — reference data of the 2023 elections shipped with the package;
- :mod:`saylau.cli` — the ``saylau`` command.
"""

__version__ = "0.1.0"
