"""Where the server is, and where an API key may go."""

from __future__ import annotations

import pytest

from reader.errors import ModelError
from reader.summarize.backends.remote import RemoteModel
from reader.summarize.backends.remote.address import check_key_transport, is_loopback, server_root
from tests.summarize.openai_stub import ARTICLE_PIECES, assert_clean


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1",
    "http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions",
    " 127.0.0.1:8080/v1 ",
])
def test_endpoints_with_or_without_v1_name_the_same_server(endpoint):
    assert server_root(endpoint) == "http://127.0.0.1:8080"


def test_an_endpoint_under_a_path_keeps_its_path():
    assert server_root("https://models.example.org/api/v1") == "https://models.example.org/api"


@pytest.mark.parametrize("endpoint", ["", "ftp://example.org", "http://", "http://host:port/v1"])
def test_an_endpoint_that_is_no_http_address_is_a_clear_error(endpoint):
    with pytest.raises(ModelError, match="not an http"):
        RemoteModel(endpoint, "m")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LocalHost",
                                  "app.localhost"])
def test_this_computer_is_loopback(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.2", "192.168.1.5", "models.example.org",
                                  "localhost.example.org", "127.0.0.1.nip.io", "::2"])
def test_other_computers_are_not(host):
    assert not is_loopback(host)


@pytest.mark.parametrize("endpoint", ["https://models.example.org/v1", "http://127.0.0.1:8080",
                                      "http://localhost:11434/v1", "http://[::1]:8080"])
def test_a_key_goes_over_https_or_to_this_computer(endpoint):
    check_key_transport(server_root(endpoint), allow_plain_http=False)
    RemoteModel(endpoint, "m", api_key="sk-secret")


def test_a_key_is_not_sent_over_plain_http_to_another_computer():
    with pytest.raises(ModelError, match=r"will not send the API key to http://10\.0\.0\.2:8080 "
                                         r"over plain http") as caught:
        RemoteModel("http://10.0.0.2:8080/v1", "m", api_key="sk-secret")
    assert_clean(caught.value)
    assert "sk-secret" not in str(caught.value)
    RemoteModel("http://10.0.0.2:8080/v1", "m")  # no key: nothing to keep safe
    RemoteModel("http://10.0.0.2:8080/v1", "m", api_key="sk-secret", allow_plain_http_key=True)


def test_the_settings_allow_a_plain_http_key(stub):
    from reader.settings import Settings
    from reader.summarize.backends.factory import open_model

    remote = Settings(backend="server", server_url="http://10.0.0.2:8080", server_model="m",
                      server_api_key="sk-secret")
    with pytest.raises(ModelError, match="plain http"):
        open_model(remote)
    remote.server_allow_plain_http_key = True
    assert open_model(remote).root == "http://10.0.0.2:8080"
    loopback = Settings(backend="server", server_url=stub.url, server_model="plain",
                        server_api_key="sk-test")
    assert list(open_model(loopback).stream_chat([{"role": "user", "content": "Hi"}], 8)) == \
        ARTICLE_PIECES
    assert stub.requests[-1]["headers"]["Authorization"] == "Bearer sk-test"

