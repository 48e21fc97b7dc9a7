"""The links in dragged or pasted HTML (a link, or a selection of a page)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin


class HtmlLinks(HTMLParser):
    """The ``<a href>`` links of an HTML fragment with their text, its ``<base>``, its text."""

    _BREAKS = frozenset("address article aside blockquote br dd div dl dt figcaption footer h1 h2 "
                        "h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr "
                        "ul".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self._links: list[tuple[str, list[str]]] = []
        self._text: list[str] = []
        self._in_link: list[str] | None = None  # the text of the link being read
        self._hidden = 0  # inside <script>/<style>

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(href, " ".join("".join(words).split())) for href, words in self._links]

    def text(self) -> str:
        return "".join(self._text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value for name, value in attrs if value is not None}
        if tag == "a":
            self._in_link = None
            if attributes.get("href"):
                self._in_link = []
                self._links.append((attributes["href"], self._in_link))
        elif tag == "base" and self.base is None and attributes.get("href"):
            self.base = attributes["href"]
        elif tag == "img" and self._in_link is not None and not "".join(self._in_link).strip():
            self._in_link.append(attributes.get("alt", ""))
        elif tag in ("script", "style"):
            self._hidden += 1
        if tag in self._BREAKS:
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = None
        elif tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        if tag in self._BREAKS:
            self._text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self._text.append(data)
        if self._in_link is not None:
            self._in_link.append(data)


def cf_html_source_url(text: str) -> str | None:
    """The ``SourceURL:`` of a Windows "HTML Format" header, if the HTML still has one."""
    header = text[: text.find("<")] if "<" in text else text
    found = re.search(r"^SourceURL:(\S+)", header, re.MULTILINE)
    return found.group(1) if found else None


def absolute_web_url(href: str, base: str | None) -> str | None:
    """``href`` as an absolute http(s) URL, resolved against ``base`` when it is relative;
    None for other schemes (mailto:, javascript:) and for relative links with no base."""
    href = href.strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", href)
    if scheme:
        return href if scheme.group(1).lower() in ("http", "https") else None
    if not base or not re.match(r"^https?://", base.strip(), re.IGNORECASE):
        return None
    try:
        return urljoin(base.strip(), href)
    except ValueError:
        return None
