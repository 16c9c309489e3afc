"""How CBS titles and keys are compared: CBS pads them and spells one title several ways, so
the catalogue, the layout and the period reading all match through these three functions.
"""

from __future__ import annotations

import re

# Everything but letters and digits: spaces, hyphens, brackets, punctuation (and "_").
NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def normalise_title(title: object) -> str:
    """The form titles are compared in: without case, spaces, hyphens and punctuation.

    CBS pads titles, and spells one title differently between tables and versions
    ("Netto arbeidsparticipatie", "Nettoarbeidsparticipatie", "netto-arbeidsparticipatie").
    """
    return NOT_LETTER_OR_DIGIT.sub("", str(title or "").casefold())


def clean_title(title: object) -> str:
    """A title as CBS prints it, without the padding: runs of whitespace collapsed."""
    return " ".join(str(title or "").split())


def normalise_key(key: object) -> str:
    """Keys compared without the padding CBS adds to dimension keys ("T001038   ")."""
    return str(key or "").strip()
