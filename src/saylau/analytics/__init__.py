"""Analytics: the monograph's indicators as code (issue #7).

``indicators`` holds every indicator once, as a pure function over plain immutable data with exact
``Fraction`` arithmetic and its formula and monograph definition (monograph-brief §9) in the
docstring; ``macroregions`` the monograph's fixed grouping of regions. ``seed`` reads the
monograph's published tables into typed records (source figures as printed) and ``monograph``
regenerates every derived figure the monograph prints from them and compares each with the print.
"""
