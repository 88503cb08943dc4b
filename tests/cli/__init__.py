"""Command-line tests (a package, so that test module names may repeat across folders)."""
