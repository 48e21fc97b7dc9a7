"""Errors a user can act on.

Anything raised as a ``UserError`` is shown as its message (in the window or on stderr) and is not
a bug; every other exception is one.
"""


class UserError(Exception):
    """A failure with a message written for the user."""


class CaptureError(UserError):
    """A page could not be fetched or turned into an article."""


class ModelError(UserError):
    """The summary model could not be loaded or run."""


class LibraryError(UserError):
    """The library could not be opened or the article was not found."""
