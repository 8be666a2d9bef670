"""Danish web pages over the archive (server-rendered; htmx makes search live where JavaScript runs)."""
