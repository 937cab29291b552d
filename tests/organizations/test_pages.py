"""The pages of a body: registering one already registered points to the request to join; a member accepts from the
body's page; a legal representative edits and manages members; refusals are the page's message, nothing changes."""
import re

import sqlalchemy as sa

from codesign.db import db
from codesign.organizations.models import JoinRequest, Membership, Organization

TAX_CODE = "97735020584"


def _register(client, login, post_form, make_user, name="Rappresentante"):
    rep = make_user("applicant", name=name)
    login(rep)
    r = post_form("/enti/nuovo", {"name": "APS Il Cortile", "kind": "ets", "legal_form": "aps", "tax_code": TAX_CODE,
                                  "address": "Via Padova 21", "municipality": "Milano"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    org = db.session.execute(sa.select(Organization)).scalar_one()
    assert r.headers["Location"].endswith(f"/enti/{org.id}")
    return rep, org


def _logout(client, post_form):
    post_form("/esci", {}, get_url="/")


def test_a_volunteer_asks_to_join_and_a_member_accepts(client, login, post_form, make_user):
    rep, org = _register(client, login, post_form, make_user)
    page = client.get(f"/enti/{org.id}").get_data(as_text=True)
    assert "Legale rappresentante" in page and "Associazione di promozione sociale (APS)" in page
    _logout(client, post_form)

    second = make_user("applicant", name="Seconda Volontaria")
    login(second)
    r = post_form("/enti/nuovo", {"name": "Il Cortile", "kind": "ets", "tax_code": TAX_CODE})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "già registrato" in html and f"/enti/unisciti?codice_fiscale={TAX_CODE}" in html
    form = client.get(f"/enti/unisciti?codice_fiscale={TAX_CODE}").get_data(as_text=True)
    assert f'value="{TAX_CODE}"' in form
    r = post_form("/enti/unisciti", {"tax_code": TAX_CODE, "message": "Seguo il doposcuola"})
    assert r.status_code == 302
    mine = client.get("/enti/").get_data(as_text=True)
    assert "in attesa della risposta" in mine
    assert client.get(f"/enti/{org.id}").status_code == 404
    _logout(client, post_form)

    login(rep)
    page = client.get(f"/enti/{org.id}").get_data(as_text=True)
    assert "Seconda Volontaria" in page and "Seguo il doposcuola" in page
    request_id = db.session.execute(sa.select(JoinRequest.id)).scalar_one()
    r = post_form(f"/enti/{org.id}/richieste/{request_id}/accetta", {}, get_url=f"/enti/{org.id}")
    assert r.status_code == 302
    page = client.get(f"/enti/{org.id}").get_data(as_text=True)
    assert "ora fa parte dell&#39;ente" in page and 'data-member="%d"' % second.id in page
    _logout(client, post_form)

    login(second)
    assert "APS Il Cortile" in client.get("/enti/").get_data(as_text=True)
    page = client.get(f"/enti/{org.id}").get_data(as_text=True)
    assert "Modifica i dati dell" not in page  # a member, not a legal representative
    assert client.get(f"/enti/{org.id}/modifica").status_code == 403


def test_the_last_legal_representative_stays(client, login, post_form, make_user):
    rep, org = _register(client, login, post_form, make_user)
    r = post_form(f"/enti/{org.id}/membri/{rep.id}/rimuovi", {}, get_url=f"/enti/{org.id}", follow_redirects=True)
    assert r.status_code == 200 and "almeno un legale rappresentante" in r.get_data(as_text=True)
    r = post_form(f"/enti/{org.id}/membri/{rep.id}/ruolo", {f"m{rep.id}-position": "member"},
                  get_url=f"/enti/{org.id}", follow_redirects=True)
    assert "almeno un legale rappresentante" in r.get_data(as_text=True)
    m = db.session.execute(sa.select(Membership).where(Membership.organization_id == org.id)).scalar_one()
    assert m.position.value == "legal_representative"


def test_the_representative_edits_the_details(client, login, post_form, make_user):
    rep, org = _register(client, login, post_form, make_user)
    form = client.get(f"/enti/{org.id}/modifica").get_data(as_text=True)
    assert 'value="Via Padova 21"' in form and re.search(r'<option selected value="aps">|<option value="aps" selected', form)
    r = post_form(f"/enti/{org.id}/modifica", {"name": "APS Il Cortile", "legal_form": "aps", "pec": "non-una-pec",
                                               "address": "", "municipality": "Milano"})
    assert r.status_code == 422 and "indirizzo e-mail non valido" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organization, org.id).address == "Via Padova 21"
    r = post_form(f"/enti/{org.id}/modifica", {"name": "APS Il Cortile di via Padova", "legal_form": "odv",
                                               "pec": "cortile@pec.it", "address": "", "municipality": "Milano"})
    assert r.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Organization, org.id)
    assert (stored.name, stored.legal_form.value, stored.pec, stored.address) == \
        ("APS Il Cortile di via Padova", "odv", "cortile@pec.it", None)


def test_the_body_page_reads_the_same_statements_whatever_its_members(client, login, post_form, make_user, statements):
    rep, org = _register(client, login, post_form, make_user)
    before = statements([f"/enti/{org.id}", "/enti/"])
    for i in range(4):
        other = make_user("applicant")
        db.session.add(JoinRequest(organization_id=org.id, user_id=other.id))
        member = make_user("applicant", org=db.session.get(Organization, org.id))
        assert member.memberships[-1].position.value == "member"
    db.session.commit()
    assert statements([f"/enti/{org.id}", "/enti/"]) == before
