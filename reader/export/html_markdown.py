"""An article's sanitised body HTML as Markdown: headings, paragraphs, lists, links, emphasis,
code, quotes, simple tables and images. Whatever else there is gives its text."""

from __future__ import annotations

import re
from collections.abc import Callable

ImageLink = Callable[[str], str]  # an <img src> -> the address the Markdown uses for it

MAX_DEPTH = 100  # nesting deeper than this is kept as its plain text
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "figure",
           "figcaption", "ul", "ol", "li", "pre", "blockquote", "table", "hr", "dl", "dt", "dd",
           "nav", *_HEADINGS}
_SPACES = re.compile(r"\s+")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])(?=\s|$)")


def to_markdown(body_html: str, image_link: ImageLink) -> str:
    import lxml.html  # here: the window imports exports at start, and lxml is not needed then

    if not body_html.strip():
        return ""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    return "\n\n".join(_Converter(image_link).blocks(root, 0)) + "\n"


def escape(text: str) -> str:
    """Text as Markdown shows it literally (white space collapsed)."""
    text = _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _tag(element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


class _Converter:
    def __init__(self, image_link: ImageLink):
        self.image_link = image_link

    def blocks(self, element, depth: int) -> list[str]:
        """The Markdown blocks of ``element``'s content."""
        out: list[str] = []
        inline: list[str] = []

        def flush() -> None:
            text = "".join(inline).strip()
            if text:
                out.append(text)
            inline.clear()

        if element.text:
            inline.append(escape(element.text))
        for child in element:
            if _tag(child) in _BLOCKS:
                flush()
                out.extend(self.block(child, depth + 1))
            else:
                inline.append(self.inline(child, depth + 1))
            if child.tail:
                inline.append(escape(child.tail))
        flush()
        return out

    def block(self, element, depth: int) -> list[str]:
        tag = _tag(element)
        if depth > MAX_DEPTH:
            return [escape(element.text_content())]
        if tag in _HEADINGS:
            text = self.content(element, depth)
            return ["#" * _HEADINGS[tag] + " " + text] if text else []
        if tag == "pre":
            code = element.text_content().rstrip("\n")
            fence = "`" * max(3, _longest_run(code, "`") + 1)
            return [f"{fence}\n{code}\n{fence}"]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(element, depth))
            return ["\n".join(f"> {line}" if line else ">" for line in inner.splitlines())]
        if tag in ("ul", "ol"):
            return [self.list(element, depth, ordered=tag == "ol")]
        if tag == "table":
            return [self.table(element, depth)]
        if tag == "hr":
            return ["---"]
        return self.blocks(element, depth)

    def list(self, element, depth: int, ordered: bool) -> str:
        lines = []
        for number, item in enumerate((c for c in element if _tag(c) == "li"), start=1):
            marker = f"{number}." if ordered else "-"
            inner = "\n\n".join(self.blocks(item, depth + 1)).splitlines() or [""]
            pad = " " * (len(marker) + 1)
            lines.append(f"{marker} {inner[0]}" + "".join(
                f"\n{pad}{line}" if line else "\n" for line in inner[1:]))
        return "\n".join(lines)

    def table(self, element, depth: int) -> str:
        rows = [[self.content(cell, depth).replace("\n", " ") for cell in row
                 if _tag(cell) in ("th", "td")] for row in element.iter("tr")]
        rows = [row for row in rows if row]
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)

    def content(self, element, depth: int) -> str:
        """``element``'s content as one line of inline Markdown."""
        parts = [escape(element.text or "")]
        for child in element:
            parts.append(self.inline(child, depth + 1))
            parts.append(escape(child.tail or ""))
        return "".join(parts).strip()

    def inline(self, element, depth: int) -> str:
        tag = _tag(element)
        if depth > MAX_DEPTH:
            return escape(element.text_content())
        if tag == "br":
            return "  \n"
        if tag == "img":
            src = element.get("src") or ""
            alt = escape(element.get("alt") or "")
            return f"![{alt}]({_destination(self.image_link(src))})" if src else alt
        text = self.content(element, depth)
        if not text:
            return ""
        if tag == "a" and element.get("href"):
            return f"[{text}]({_destination(element.get('href'))})"
        if tag in ("strong", "b"):
            return f"**{text}**"
        if tag in ("em", "i"):
            return f"*{text}*"
        if tag == "code":
            code = element.text_content()
            ticks = "`" * (_longest_run(code, "`") + 1)
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{ticks}{pad}{code}{pad}{ticks}"
        return text


def _destination(url: str) -> str:
    """A link destination that Markdown reads whole, whatever characters it has."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)
