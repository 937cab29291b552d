"""English comes through complete catalogs: every string the code and templates mark is translated."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "codesign/translations/en/LC_MESSAGES/messages.po"


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def _extracted() -> set[str]:
    found = set()
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
    method_map = [("codesign/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map=options, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_marked_string_is_in_the_catalog():
    catalog = _catalog()
    missing = sorted(m for m in _extracted() if m not in catalog)
    assert not missing, f"run `make messages` and translate: {missing[:20]}"


def test_every_catalog_entry_is_translated():
    untranslated = [m.id for m in _catalog() if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, untranslated[:20]


def test_placeholders_are_kept():
    import re

    for m in _catalog():
        if m.id and isinstance(m.id, str):
            assert set(re.findall(r"%\(\w+\)s", m.id)) == set(re.findall(r"%\(\w+\)s", m.string)), m.id
