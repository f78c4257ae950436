"""Vietnamese text helpers: ASCII slugs and diacritics-insensitive search keys.

``Đ``/``đ`` is a letter of its own in Unicode, not ``D`` with a combining mark, so
NFKD leaves it alone and a naive slugify turns "Đồng Phú" into "ong-phu". Both
helpers map it to ``d`` first.
"""

import unicodedata

from django.utils.text import slugify

_D_STROKE = str.maketrans({"Đ": "D", "đ": "d"})


def fold(text: str) -> str:
    """Lower-case ASCII form for search: "Huyện Đồng Phú" -> "huyen dong phu"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_STROKE))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(ascii_text.lower().split())


def slugify_vi(text: str) -> str:
    """URL slug for Vietnamese text: "Đồng Phú" -> "dong-phu"."""
    return slugify(text.translate(_D_STROKE))
