"""Reading public pages the way a reader, a screen reader and a crawler do, with the stdlib.

A small tree of elements is enough for what the page tests ask: which landmarks
and headings a page has, where its links go, what its meta tags and JSON-LD
say, and the visible text with whitespace collapsed.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants by tag and attributes; class_ matches one of the element's classes."""
        wanted_class = attrs.pop("class_", None)
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
            and (wanted_class is None or wanted_class in element.attrs.get("class", "").split())
        ]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    @property
    def text(self):
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style"):
                parts.append(" " + child.text + " ")
        return " ".join("".join(parts).split())

    def links(self):
        """(href, text) of every link inside the element."""
        return [(a.attrs.get("href"), a.text) for a in self.find_all("a")]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.stack[-1])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


class Page:
    """A rendered HTML response, parsed."""

    def __init__(self, response):
        self.response = response
        self.html = response.content.decode()
        builder = _TreeBuilder()
        builder.feed(self.html)
        builder.close()
        self.root = builder.root

    def find_all(self, tag=None, **attrs):
        return self.root.find_all(tag, **attrs)

    def find(self, tag=None, **attrs):
        return self.root.find(tag, **attrs)

    @property
    def main(self):
        return self.find("main")

    @property
    def text(self):
        """The visible text of the body, whitespace collapsed."""
        return self.find("body").text

    @property
    def title(self):
        return self.find("title").text

    def meta(self, name=None, property=None):
        """The content of a meta tag found by name or property, or None."""
        for element in self.find_all("meta"):
            if name is not None and element.attrs.get("name") == name:
                return element.attrs.get("content")
            if property is not None and element.attrs.get("property") == property:
                return element.attrs.get("content")
        return None

    @property
    def canonical(self):
        link = self.find("link", rel="canonical")
        return link.attrs["href"] if link else None

    @property
    def json_ld(self):
        """Every JSON-LD data block, parsed."""
        return [
            json.loads("".join(s.children))
            for s in self.find_all("script")
            if s.attrs.get("type") == "application/ld+json"
        ]

    def json_ld_of_type(self, schema_type):
        return [block for block in self.json_ld if block.get("@type") == schema_type]

    def links(self):
        return self.root.links()

    def hrefs(self):
        return {href for href, _ in self.links()}

    @property
    def breadcrumbs(self):
        """(label, href) of the breadcrumb trail, or [] when the page has none."""
        nav = self.find("nav", aria_label="Breadcrumb")
        return nav.links() if nav else []


def get_page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, (url, response.status_code)
    return Page(response)


def site_path(url):
    """The path (and query) of an absolute URL on SITE_URL."""
    assert url.startswith(settings.SITE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def body(response):
    """The bytes of a response, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def xml(response):
    return ET.fromstring(body(response))


def sitemap_section_urls(client):
    """The addresses the sitemap index lists, as paths on this site."""
    index = xml(client.get("/sitemap.xml"))
    return [site_path(loc.text) for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]


def sitemap_entries(client):
    """(path, lastmod text or None) of every URL in every section of the sitemap."""
    entries = []
    for section in sitemap_section_urls(client):
        response = client.get(section)
        assert response.status_code == 200, section
        for url in xml(response).findall("sm:url", SITEMAP_NS):
            lastmod = url.find("sm:lastmod", SITEMAP_NS)
            entries.append(
                (
                    site_path(url.find("sm:loc", SITEMAP_NS).text),
                    lastmod.text if lastmod is not None else None,
                )
            )
    return entries


def sitemap_paths(client):
    return [path for path, _ in sitemap_entries(client)]


TRUNCATED_WORD = re.compile(r"\w(?:\.\.\.|…)")
