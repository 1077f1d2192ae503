"""HTML pages, one module per user journey."""
