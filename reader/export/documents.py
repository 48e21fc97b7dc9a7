"""The exports with one file per article: Markdown (YAML front matter, the summary, the article;
images in ``attachments/``) for Obsidian and other notes apps, and self-contained HTML (images
inlined) for reading anywhere. File names are safe on every system and the same at every
export of the same article (its title's slug and its id)."""

from __future__ import annotations

import base64
import html
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from reader.export.files import replaced
from reader.export.html_markdown import escape as escape_markdown
from reader.export.html_markdown import to_markdown
from reader.library import Article, Library, highlights
from reader.library.images import SCHEME, image_bytes

Progress = Callable[[int, int], None]
ATTACHMENTS = "attachments"
MAX_SLUG = 60
_IMAGE = re.compile(rf"{SCHEME}:([0-9a-f]{{64}})")
_NOT_SLUG = re.compile(r"[^\w]+")
# Names Windows keeps for devices, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
             *(f"lpt{n}" for n in range(10))}
# Characters YAML does not allow raw in a double-quoted scalar, or reads as line breaks.
_YAML_ESCAPE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\"\\\\\u2028\u2029\ufeff\ufffe\uffff"
                          "\ud800-\udfff]")


def file_name(article: Article, extension: str) -> str:
    """``slug-ID.ext``: letters and digits of the title (any script), lower case, joined by
    hyphens, at most MAX_SLUG of them; the id keeps it unique and stable."""
    slug = _NOT_SLUG.sub("-", unicodedata.normalize("NFKC", article.title).lower())
    slug = slug.replace("_", "-").strip("-")[:MAX_SLUG].strip("-") or "article"
    if slug in _RESERVED:
        slug += "-"
    return f"{slug}-{article.id}.{extension}"


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, whatever characters it holds."""
    def escaped(match: re.Match) -> str:
        char = match.group()
        if char in '"\\':
            return "\\" + char
        return f"\\u{ord(char):04x}" if ord(char) > 0xff else f"\\x{ord(char):02x}"
    return '"' + _YAML_ESCAPE.sub(escaped, text) + '"'


def front_matter(article: Article) -> str:
    fields = {"title": article.title, "url": article.url, "author": article.author,
              "site": article.site, "published": article.published, "saved": article.added}
    lines = [f"{name}: {yaml_string(value)}" for name, value in fields.items()]
    lines.append("tags: [" + ", ".join(yaml_string(tag) for tag in article.tags) + "]")
    lines += [f"archived: {str(article.archived).lower()}",
              f"favourite: {str(article.favourite).lower()}",
              f"read: {str(article.read).lower()}"]
    return "---\n" + "\n".join(lines) + "\n---\n"


def write_markdown(library: Library, ids: list[int], folder: Path, progress: Progress) -> None:
    attachments = folder / ATTACHMENTS
    for done, article_id in enumerate(ids, start=1):
        article = library.get(article_id)

        def image_link(src: str) -> str:
            match = _IMAGE.fullmatch(src)
            if not match:
                return src
            name = _attachment(library, match.group(1), attachments)
            return f"{ATTACHMENTS}/{name}" if name else ""

        parts = [front_matter(article), f"# {_heading(article.title)}\n"]
        summary = library.summary(article.id)
        if summary:
            parts.append(f"## Summary\n\n{summary.strip()}\n")
        parts += _markdown_notes(library, article.id)
        body = to_markdown(article.body_html, image_link) or article.text
        parts.append(body)
        with replaced(folder / file_name(article, "md")) as stream:
            stream.write("\n".join(parts))
        progress(done, len(ids))


def _markdown_notes(library: Library, article_id: int) -> list[str]:
    """The article's note, then its highlights as quotes, each with its note under it (a
    note is the user's Markdown already)."""
    parts = []
    note = highlights.article_note(library, article_id).strip()
    if note:
        parts.append(f"## Note\n\n{note}\n")
    marked = highlights.for_article(library, article_id)
    if marked:
        parts.append("## Highlights\n")
    for highlight in marked:
        quote = "\n".join(f"> {escape_markdown(line)}".rstrip()
                          for line in highlight.quote.strip().splitlines())
        lost = "" if highlight.found else " (not found in the current text)"
        parts.append(f"{quote}\n\n— {highlight.color}, {highlight.created[:10]}{lost}\n")
        if highlight.note.strip():
            parts.append(f"{highlight.note.strip()}\n")
    return parts


def _html_notes(library: Library, article_id: int) -> str:
    note = highlights.article_note(library, article_id).strip()
    marked = highlights.for_article(library, article_id)
    if not note and not marked:
        return ""
    parts = ["<aside>"]
    if note:
        parts.append(f"<h2>Note</h2><p>{html.escape(note)}</p>")
    if marked:
        parts.append("<h2>Highlights</h2>")
    for highlight in marked:
        parts.append(f"<blockquote>{html.escape(highlight.quote)}</blockquote>")
        if highlight.note.strip():
            parts.append(f"<p>{html.escape(highlight.note.strip())}</p>")
    return "".join(parts) + "</aside>"


def write_html(library: Library, ids: list[int], folder: Path, progress: Progress) -> None:
    for done, article_id in enumerate(ids, start=1):
        article = library.get(article_id)
        body = _IMAGE.sub(lambda m: _data_uri(library, m.group(1)), article.body_html)
        byline = " · ".join(part for part in (article.author, article.site, article.published)
                            if part)
        summary = library.summary(article.id)
        document = _PAGE.format(
            title=html.escape(article.title), url=html.escape(article.url, quote=True),
            byline=html.escape(byline), tags=html.escape(", ".join(article.tags)),
            summary=(f"<aside><h2>Summary</h2><p>{html.escape(summary)}</p></aside>"
                     if summary else "") + _html_notes(library, article.id),
            body=body)
        with replaced(folder / file_name(article, "html")) as stream:
            stream.write(document)
        progress(done, len(ids))


_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; \
style-src 'unsafe-inline'">
<title>{title}</title>
<style>body{{max-width:42em;margin:2em auto;padding:0 1em;font:18px/1.6 Georgia,serif}}
img{{max-width:100%;height:auto}}aside{{background:#f4f1ea;padding:.5em 1em}}</style>
</head><body><article>
<h1>{title}</h1>
<p><a href="{url}">{url}</a><br>{byline}</p>
<p>{tags}</p>
{summary}
{body}
</article></body></html>
"""


def _heading(title: str) -> str:
    return " ".join(title.split()).replace("#", "\\#") or "Untitled"


def _attachment(library: Library, digest: str, folder: Path) -> str | None:
    """The stored image ``digest`` as a file in ``folder`` (written once); its name."""
    content_type = library.query_one("SELECT content_type FROM images WHERE hash = ?",
                                     (digest,))
    data = image_bytes(library, digest)
    if data is None or content_type is None:
        return None
    name = digest + (mimetypes.guess_extension(content_type[0].split(";")[0]) or ".bin")
    path = folder / name
    if not path.exists():
        folder.mkdir(exist_ok=True)
        path.write_bytes(data)
    return name


def _data_uri(library: Library, digest: str) -> str:
    row = library.query_one("SELECT content_type, data FROM images WHERE hash = ?", (digest,))
    if row is None:
        return ""
    content_type = row[0].split(";")[0].strip() or "application/octet-stream"
    return f"data:{content_type};base64,{base64.b64encode(bytes(row[1])).decode('ascii')}"
