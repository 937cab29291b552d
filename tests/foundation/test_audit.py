import sqlalchemy as sa

from codesign.core import audit
from codesign.db import db


def test_chain_verifies_and_detects_tampering(app_ctx, make_user):
    make_user("applicant")
    make_user("evaluator")
    ok, n, problem = audit.verify()
    assert ok and n >= 4 and problem is None
    rec = db.session.execute(sa.select(audit.AuditRecord).order_by(audit.AuditRecord.seq.desc())).scalars().first()
    rec.reason = "manomesso"
    db.session.commit()
    ok, n, problem = audit.verify()
    assert not ok and "hash" in problem


def test_deleted_record_is_detected(app_ctx, make_user):
    make_user("applicant")
    db.session.execute(sa.delete(audit.AuditRecord).where(audit.AuditRecord.seq == 1))
    db.session.commit()
    ok, _, problem = audit.verify()
    assert not ok


def test_rollback_discards_record(app_ctx, make_user):
    user = make_user("applicant")
    before = db.session.execute(sa.select(sa.func.count(audit.AuditRecord.id))).scalar_one()
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="test")
    db.session.rollback()
    after = db.session.execute(sa.select(sa.func.count(audit.AuditRecord.id))).scalar_one()
    assert before == after
    assert audit.verify()[0]
