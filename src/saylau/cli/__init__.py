"""The ``saylau`` command line."""
