"""Server-rendered pages (Jinja2), working without JavaScript and enhanced by ``static/*.js``."""
