import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")

django_application = get_wsgi_application()

# Cached public pages are answered before Django handles the request (pages/cache.py).
from pages.cache import CachedPages  # noqa: E402 - needs Django set up first

# The variables that hold the address, which Django reads as PEP 3333 strings: one
# latin-1 character per byte of the address as sent.
ADDRESS_VARIABLES = ("PATH_INFO", "SCRIPT_NAME", "QUERY_STRING")


def pep3333(value):
    """An address variable as PEP 3333 asks. A string with characters outside latin-1,
    which Django cannot read (UnicodeEncodeError: a 500 for any address with a euro sign
    in it), is an address a server decoded as UTF-8: its UTF-8 bytes are the address.
    surrogatepass keeps a lone surrogate made of a byte that is not UTF-8; Django then
    percent-encodes it."""
    if value.isascii():
        return value
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("latin-1")
    return value


def address_as_sent(application):
    """`application`, given the address as PEP 3333 strings, whatever the server did."""

    def with_address_as_sent(environ, start_response):
        environ.update(
            {name: pep3333(environ[name]) for name in ADDRESS_VARIABLES if name in environ}
        )
        return application(environ, start_response)

    return with_address_as_sent


application = address_as_sent(CachedPages(django_application))
