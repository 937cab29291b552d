"""Acts as PDF: rendered by WeasyPrint from self-contained HTML templates (they include the one print
stylesheet, templates/print/_style.html). The URL fetcher allows no protocol at all, so rendering never
reaches the network or the file system, whatever the texts contain."""
from __future__ import annotations


def render_pdf(html: str) -> bytes:
    # WeasyPrint is heavy (Pango, fonts): imported when a PDF is asked for, not when the app starts.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
