"""The read model of the public results site (issue #5 §1): what it shows, as documents.

Each view function ``fn(session, **params)`` reads without a context (the results are public,
nothing is changed or audited) and returns a frozen dataclass. The same document is the page
(rendered per language by ``saylau.web.pages.public``), its JSON twin and its CSV twin, so they
cannot disagree. Only DEFINITIVE protocols count (CL art. 43); figures are summed live in SQL, the
outcome is the contest's latest tabulation, *official* once published. Every figure is one SQL
aggregation per view, never a query per precinct or contest (a national election has ~10,000
precincts, ~3,500 contests and ~49,000 protocols).

The modules, from the shared ground up:

- :mod:`.common` — the building blocks every view uses: the election and its summary, breadcrumbs,
  the territory (regions, bodies), progress ("X of Y precincts counted"), turnout kind and final
  turnout, polling-day reports, the synthetic flag, official / updated-at, instance enumerators;
- :mod:`.tally` — what contests' definitive protocols add up to: sums, votes, ballot lines, list
  results with the threshold line, single-member district rows;
- :mod:`.election` — the national overview and a region (``elections/{id}/``, ``…/regions/{code}/``);
- :mod:`.body` — a maslikhat and the body rows of the tables (``…/bodies/{id}/``);
- :mod:`.contest` — a contest with its paged precinct table (``…/contests/{id}/``);
- :mod:`.precinct` — a precinct's protocols line by line (``…/precincts/{id}/``);
- :mod:`.turnout` — turnout through polling day (``…/turnout/``);
- :mod:`.map` — the regional tile map (``…/map/{measure}/``);
- :mod:`.people` — a body's candidates and party lists, and its deputies
  (``…/bodies/{id}/candidates/``, ``…/deputies/``).

A view module imports only :mod:`.common`, :mod:`.tally` and the public names of another view module
(``body_rows`` for the national and regional tables).
"""
