"""Which addresses count as this computer or its local network."""

import pytest

from reader.capture.addresses import LocalAddressRefused, NameNotFound, Reach, is_local


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
])
def test_local_addresses(address):
    assert is_local(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700::1111",
                                     "::ffff:93.184.216.34"])
def test_public_addresses(address):
    assert not is_local(address)


def test_a_name_is_judged_by_what_it_resolves_to():
    with pytest.raises(LocalAddressRefused, match="localhost is on this computer"):
        Reach(False).addresses("localhost", 80)
    assert "127.0.0.1" in Reach(True).addresses("localhost", 80)
    with pytest.raises(NameNotFound):
        Reach(False).addresses("no-such-host.invalid", 80)


def test_a_page_decides_for_its_redirects_by_its_own_address():
    page = Reach.for_page(None)
    assert page.addresses("127.0.0.1", 80) == ["127.0.0.1"]  # the page itself: anywhere
    page.connected("127.0.0.1")
    assert page.addresses("10.0.0.1", 80) == ["10.0.0.1"]  # a local page may stay local

    public = Reach.for_page(None)
    public.connected("93.184.216.34")
    with pytest.raises(LocalAddressRefused):
        public.addresses("10.0.0.1", 80)
