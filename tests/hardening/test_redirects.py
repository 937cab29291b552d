"""Redirects go only to paths of this site: login's `next` and the language switch share one helper."""
import pytest

from codesign.core.redirects import is_safe_path, safe_path
from tests.conftest import csrf_token_from

OFF_SITE = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", " //evil.example", "/\x00/evil.example",
    "/\u200b/evil.example", "/\u00a0/evil.example", "https://evil.example", "http:/evil.example",
    "http:evil.example", "javascript:alert(1)", "data:text/html,x", "evil.example", "", None, 42, ["/"],
    "/" + "a" * 3000,
]
ON_SITE = ["/", "/avvisi", "/avvisi/1?pagina=2", "/avvisi#lotto-a", "/%2F%2Fevil.example", "/a/b//c"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target):
    assert not is_safe_path(target)
    assert safe_path(target, "/home") == "/home"


@pytest.mark.parametrize("target", ON_SITE)
def test_paths_of_this_site_are_kept(target):
    assert safe_path(target, "/home") == target


def test_non_ascii_path_is_percent_encoded():
    assert safe_path("/avvisi/città", "/") == "/avvisi/citt%C3%A0"
    assert safe_path("/cerca?q=a b", "/") == "/cerca?q=a%20b"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://evil.example",
                                    "/\n/evil.example", "/ok\r\nSet-Cookie: a=b"])
def test_login_next_stays_on_site(client, make_user, target):
    user = make_user("applicant")
    page = client.get("/accedi")
    r = client.post("/accedi", query_string={"next": target},
                    data={"email": user.email, "password": "password-1234",
                          "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    assert r.headers["Location"] == "/le-mie-proposte"  # where an applicant's work is, as without a next link


def test_login_next_to_a_page_of_the_site(client, make_user):
    user = make_user("applicant")
    page = client.get("/accedi")
    r = client.post("/accedi?next=/profilo/password", data={
        "email": user.email, "password": "password-1234", "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 302 and r.headers["Location"] == "/profilo/password"


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "/\n/evil.example"])
def test_language_switch_stays_on_site(client, post_form, target):
    r = post_form("/lingua/en", {"next": target}, get_url="/")
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(client, post_form):
    r = post_form("/lingua/en", {"next": "/avvisi?pagina=1"}, get_url="/")
    assert r.status_code == 302 and r.headers["Location"] == "/avvisi?pagina=1"
