"""Message catalogues read with Babel: every ``.po`` file of a folder, merged and compiled in
memory, so that no build step is needed. The web interface (``saylau.web.i18n``) and the analytical
report (``saylau.analytics.render``) each keep their catalogues beside their code and read them
through this one function.
"""

from __future__ import annotations

import io
from importlib.resources.abc import Traversable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def merged_translations(folder: Traversable, language: str) -> Translations:
    """All catalogues in ``folder`` (``*.po``, in file-name order; a later file's message wins)."""
    merged = Translations()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        merged.merge(Translations(buffer))
    return merged
