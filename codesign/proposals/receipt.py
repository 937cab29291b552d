"""The submission receipt as a PDF, rendered by WeasyPrint from an HTML template.

The template is self-contained (inline CSS, no images) and the fetcher allows no protocol at all, so
rendering never reaches the network or the file system, whatever the proposal's text contains."""
from __future__ import annotations


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
