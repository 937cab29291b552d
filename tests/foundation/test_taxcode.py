import pytest

from codesign.organizations.taxcode import normalize_tax_code


@pytest.mark.parametrize("code", ["12345670157", "RCCMNL83S18D969H", " 123 456 70157 ", "rccmnl83s18d969h"])
def test_valid(code):
    assert normalize_tax_code(code) in ("12345670157", "RCCMNL83S18D969H")


@pytest.mark.parametrize("code,message", [
    ("12345670158", "cifra di controllo"),
    ("RCCMNL83S18D969X", "cifra di controllo"),
    ("1234", "11 cifre"),
    ("", "obbligatorio"),
    ("ABCDEFGHIJK", "non è valido"),
])
def test_invalid(code, message):
    with pytest.raises(ValueError, match=message):
        normalize_tax_code(code)
