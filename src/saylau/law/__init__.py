"""The electoral law of Kazakhstan's maslikhat and Mazhilis elections as pure, exact functions.

No I/O and no imports from the rest of :mod:`saylau`: immutable data in, immutable data out, integer
and :class:`fractions.Fraction` arithmetic only. Every rule cites its article; every point where the
law is silent is a named parameter of a :class:`~saylau.law.rules.RuleSet` (``docs/rules.md``).
"""
