"""Test-only helpers: renderers that make fixture documents (PDF, web page, Word) and fixture archives.

Used by the tests and the benches, never by the product's own modules. Fixtures rendered by our own
code share our assumptions, so every reader is also checked on documents from real producers
(LibreOffice, Chromium, Word files) and on the real material in ../shared/corpus.
"""
