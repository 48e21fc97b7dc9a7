"""The article library: one SQLite file, the only code that writes it."""

from reader.library.store import Article, ArticleRow, Library, NewArticle
from reader.library.welcome import empty_bin, open_library

__all__ = ["Article", "ArticleRow", "Library", "NewArticle", "empty_bin", "open_library"]
