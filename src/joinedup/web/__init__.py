"""The web edge: the app factory, pages by user journey, the JSON API, templates and assets.

Routes only parse input, call one service or query, and render. Nothing imports this package.
"""
