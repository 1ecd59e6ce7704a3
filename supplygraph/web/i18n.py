"""Message catalogues: every string a page shows comes from `messages/<locale>.json`.

A catalogue maps a message key to its text, with `{name}` placeholders filled at render time
(`_("exposure.count", count=3)`). English is shipped; `pseudo` is English made unmistakable
(accented, bracketed, a third longer) so that a test rendering the pages in it finds any text
that did not come from the catalogue, and any layout that breaks with longer words.

Why not gettext: a key-based JSON catalogue needs no compile step (`.po` -> `.mo`) and no
extra package, and a missing key fails the pseudo-locale test rather than showing English.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
PSEUDO = "pseudo"

_ACCENTED = str.maketrans("aceinouyACEINOUY", "àçéîñöûýÀÇÉÎÑÖÛÝ")


def pseudo_text(text: str) -> str:
    """Accents every letter it can outside `{placeholders}`, and brackets the whole."""
    out = []
    for literal, field, spec, conv in string.Formatter().parse(text):
        out.append(literal.translate(_ACCENTED))
        if field is not None:
            out.append("{" + field + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                       + "}")
    body = "".join(out)
    return f"⟦{body}{'~' * (len(text) // 3)}⟧"


@cache
def catalogue(locale: str) -> dict[str, str]:
    if locale == PSEUDO:
        return {k: pseudo_text(v) for k, v in catalogue("en").items()}
    path = MESSAGES_DIR / f"{locale}.json"
    if not path.is_file():
        raise ValueError(f"no message catalogue for locale {locale!r}")
    messages: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return messages


class Translator:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.messages = catalogue(locale)
        self.lang = "en" if locale == PSEUDO else locale

    def __call__(self, key: str, **values: object) -> str:
        # A missing key raises: a page must never show a key or a fallback in another tongue.
        text = self.messages[key]
        return text.format(**values) if values else text
