"""Static publication of the public site (issue #5 §3): ``saylau publish --out DIR``.

Election-night sites that millions read are static files behind a web server or a CDN. This
package writes the whole public site — every :class:`~saylau.web.pages.public.views.View` instance
in every language with its JSON and CSV twins, the extra files declared in
:mod:`saylau.publication.sources` (front page, archive, open data, calendars) and the ``static/``
assets — as files whose bytes are exactly what Saylau serves at the same paths
(:mod:`saylau.publication.sources`). Re-publication is incremental: a manifest in the output
directory remembers each file's SHA-256, so only files whose bytes changed are rewritten (each one
atomically) and files no longer produced are removed (:mod:`saylau.publication.output`).
"""

from __future__ import annotations

from saylau.publication.output import MANIFEST, Report
from saylau.publication.publish import publish

__all__ = ["MANIFEST", "Report", "publish"]
