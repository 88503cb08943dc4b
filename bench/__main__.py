"""``python -m bench``: see :mod:`bench.frame`."""

from bench.frame import main

if __name__ == "__main__":
    main()
