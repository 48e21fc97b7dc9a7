"""What Hugging Face says of a model file: where its bytes are, their size and SHA-256, the commit.

huggingface_hub builds the address (honouring ``HF_ENDPOINT`` or the ``endpoint`` given), sends the
user's token if they logged in (``hf auth login``; gated repositories need it) and follows the
hub's redirects; its errors become sentences for the user here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from reader import __version__
from reader.errors import ModelError
from reader.summarize.catalogue import CatalogueEntry

CONNECT_SECONDS = 10.0
READ_SECONDS = 60.0
METADATA_SECONDS = 15.0
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class RemoteFile:
    url: str  # where the bytes are (a CDN address the hub redirects to, for large files)
    size: int | None
    sha256: str | None  # the hub's LFS object id; None for a file the hub keeps in git
    commit: str
    same_origin: bool  # the url is on the hub itself: the token may go with the request


def remote_file(entry: CatalogueEntry, revision: str, endpoint: str | None,
                token: str | bool | None) -> RemoteFile:
    """Where ``entry``'s file is at ``revision`` and what it is; ModelError saying why not."""
    import httpx2
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    url = hf_hub_url(entry.repo_id, entry.filename, revision=revision, endpoint=endpoint)
    host = urlsplit(url).netloc
    try:
        metadata = get_hf_file_metadata(url, token=token, timeout=METADATA_SECONDS,
                                        endpoint=endpoint, library_name="reader",
                                        library_version=__version__)
    except OfflineModeIsEnabled:
        raise ModelError("Downloading is switched off on this computer "
                         "(HF_HUB_OFFLINE is set).") from None
    except (httpx2.TransportError, ConnectionError) as error:
        raise ModelError(f"Reader could not reach {host} to download {entry.name}: "
                         f"{describe_error(error)}. Check the internet connection and try "
                         "again.") from None
    except GatedRepoError:
        page = f"{urlsplit(url).scheme}://{host}/{entry.repo_id}"
        raise ModelError(
            f"{entry.repo_id} asks you to accept its terms before downloading: accept them at "
            f"{page}, log in with `hf auth login`, and try again.") from None
    except RepositoryNotFoundError:
        raise ModelError(f"{host} has no repository {entry.repo_id} (or it is private).") from None
    except RevisionNotFoundError:
        raise ModelError(f"{entry.repo_id} has no revision {revision}.") from None
    except RemoteEntryNotFoundError:
        raise ModelError(f"{entry.repo_id} has no file {entry.filename}; Reader's catalogue may be "
                         "out of date.") from None
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        raise ModelError(f"{host} refused to say where {entry.name} is (HTTP {status}): "
                         f"{first_line(error)}") from None
    if not metadata.commit_hash:
        raise ModelError(f"{host} did not answer as Hugging Face does (no commit for "
                         f"{entry.filename}); is HF_ENDPOINT right?")
    etag = (metadata.etag or "").lower()
    location = metadata.location or url
    return RemoteFile(
        url=location,
        size=metadata.size,
        sha256=etag if _SHA256.fullmatch(etag) else None,
        commit=metadata.commit_hash,
        same_origin=_origin(location) == _origin(url),
    )


def request_headers(token: str | bool | None, remote: RemoteFile) -> dict:
    """The headers for fetching ``remote``'s bytes."""
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers(token=token, library_name="reader", library_version=__version__)
    if not remote.same_origin:  # a signed CDN address: the user's token stays with the hub
        headers.pop("authorization", None)
        headers.pop("Authorization", None)
    headers["Accept-Encoding"] = "identity"  # sizes and ranges count the file's own bytes
    return headers


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def describe_error(error: BaseException) -> str:
    """A network error in a few words for the user."""
    import httpx2

    if isinstance(error, httpx2.RemoteProtocolError):
        return "the connection dropped"
    if isinstance(error, httpx2.ReadTimeout):
        return f"nothing came for {READ_SECONDS:g} s"
    if isinstance(error, httpx2.ConnectTimeout):
        return f"no answer within {CONNECT_SECONDS:g} s"
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def first_line(error: BaseException) -> str:
    """The first line of what an error says (huggingface_hub's run to several)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
