"""Errors a user can act on.

Anything raised as a ``UserError`` is shown as its message (in the window or on stderr) and is not
a bug; every other exception is one, except the database failures ``database_problem`` words.
"""

import sqlite3


class UserError(Exception):
    """A failure with a message written for the user."""


class CaptureError(UserError):
    """A page could not be fetched or turned into an article."""


class ModelError(UserError):
    """The summary model could not be loaded or run."""


class LibraryError(UserError):
    """The library could not be opened or the article was not found."""


def database_problem(error: sqlite3.Error) -> str | None:
    """What to tell the user of a database failure that is not a bug: the library busy in
    another process past the wait, or a change it refused. None for anything else."""
    if isinstance(error, sqlite3.IntegrityError):
        return f"The library refused the change ({error}); nothing was saved."
    if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error)
                                                         or "busy" in str(error)):
        return ("The library is busy (Reader's window or another reader command is writing "
                "to it); try again in a moment.")
    return None
