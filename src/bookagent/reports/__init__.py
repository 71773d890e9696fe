"""Rendering weekly reports: matplotlib charts, a standalone HTML page, and CSV tables."""
