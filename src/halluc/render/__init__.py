"""Turning results into text people read: number formats and tables (terminal, Markdown, HTML)."""
