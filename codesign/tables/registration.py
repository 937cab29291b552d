"""Co-design tables: pages, the overdue tick job, the shared documents' upload rule, and the guards and
effects the proposal's and the procedure's machines need from the tables (contributed, never imported below)."""
from __future__ import annotations

from flask import Flask

from codesign.core import tick
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import operations as proposals
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.tables import operations as tables
from codesign.tables import permissions
from codesign.tables.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    tick.register(app, tables.flag_overdue_tables)
    proposals.register_attachment_rule(permissions.shared_document_rule)
    proposals.declare_document_kind(permissions.SHARED_DOCUMENT, (proposals.BODY, proposals.ADMIN),
                                    limit=permissions.SHARED_DOCUMENTS_LIMIT)
    proposal_workflow.contribute("start_codesign", effect=tables.open_table)
    proposal_workflow.contribute("finalize", guard=tables.finalize_guard, effect=tables.on_finalize)
    proposal_workflow.contribute("fail_codesign", effect=tables.on_fail)
    procedure_workflow.contribute("scroll_ranking", effect=tables.scroll)
