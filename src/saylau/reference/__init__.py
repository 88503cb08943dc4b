"""Reference data shipped with the package (sources noted beside each file in ``data/``)."""
