"""Staff login: failed attempts are throttled by django-axes, per pair of user name
and client address (never the name alone), and the lockout page says so in
Vietnamese. The client's address is the connecting one, or behind the trusted
reverse proxies the one the outermost proxy appended to X-Forwarded-For; what a
client writes in that header itself is never believed."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from cchc_portal.clients import client_address

LOGIN = "/staff/login/"
PASSWORDS = {"canbo": "mat-khau-dung-1", "quantri": "mat-khau-dung-2"}
PROXY = "10.0.0.254"  # the reverse proxy's own address, which Django sees connecting


@pytest.fixture
def staff(settings, db):
    settings.AXES_FAILURE_LIMIT = 3
    for name, password in PASSWORDS.items():
        get_user_model().objects.create_user(name, password=password, is_staff=True)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, password, *, username="canbo", address="10.0.0.1", forwarded=None):
    """POST the login form from ``address`` (the connecting one), with ``forwarded``
    as the X-Forwarded-For header when given."""
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {"username": username, "password": password, "next": "/staff/"}
    return client.post(LOGIN, data, **extra)


def logs_in(client, *, username="canbo", **where) -> bool:
    """Whether the right password gets ``username`` in (and leaves the session clean)."""
    response = attempt(client, PASSWORDS[username], username=username, **where)
    if response.status_code == 429:
        assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
        assert "_auth_user_id" not in client.session
        return False
    assert response.status_code == 302
    client.logout()
    return True


def fail(client, times=3, **where):
    for _ in range(times):
        assert attempt(client, "sai", **where).status_code in (200, 429)


def test_the_right_password_logs_in_and_resets_the_count(client, staff):
    for _ in range(2):
        assert attempt(client, "sai").status_code == 200  # the form again, with its error
    assert attempt(client, PASSWORDS["canbo"]).status_code == 302
    client.logout()
    for _ in range(2):  # the earlier failures no longer count
        attempt(client, "sai")
    assert attempt(client, PASSWORDS["canbo"]).status_code == 302


def test_too_many_failures_lock_the_name_out_from_that_address_even_with_the_right_password(client, staff):
    fail(client, address="10.0.0.1")
    locked = attempt(client, PASSWORDS["canbo"], address="10.0.0.1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page and "30 phút" in page
    assert "_auth_user_id" not in client.session


def test_directly_only_the_pair_of_name_and_address_is_locked(client, staff):
    fail(client, username="canbo", address="10.0.0.1")
    assert not logs_in(client, username="canbo", address="10.0.0.1")
    assert logs_in(client, username="canbo", address="10.0.0.2")  # the same name from elsewhere
    assert logs_in(client, username="quantri", address="10.0.0.1")  # another name from there


def test_directly_a_forged_forwarded_header_is_ignored(client, staff):
    # Without a trusted proxy the header is the client's own words: naming other
    # addresses neither spreads its failures to them nor lets it start afresh.
    for n in range(3):
        attempt(client, "sai", address="10.0.0.1", forwarded=f"203.0.113.{n}")
    assert not logs_in(client, address="10.0.0.1", forwarded="203.0.113.99")
    assert logs_in(client, address="10.0.0.2", forwarded="10.0.0.1")


def test_behind_a_proxy_failures_lock_the_forwarded_address_not_the_proxy(client, staff, behind_one_proxy):
    fail(client, address=PROXY, forwarded="198.51.100.7")
    assert not logs_in(client, address=PROXY, forwarded="198.51.100.7")
    # Everyone else reaches the portal through the same proxy and still logs in,
    # the administrator included; the other name from the locked address too.
    assert logs_in(client, address=PROXY, forwarded="198.51.100.8")
    assert logs_in(client, username="quantri", address=PROXY, forwarded="198.51.100.7")


def test_behind_a_proxy_a_client_forging_the_header_can_neither_escape_nor_lock_others(client, staff, behind_one_proxy):
    # The proxy appends the real address after whatever the client sent.
    for n in range(3):
        attempt(client, "sai", address=PROXY, forwarded=f"198.51.100.{n + 20}, 198.51.100.7")
    assert not logs_in(client, address=PROXY, forwarded="198.51.100.99, 198.51.100.7")
    assert not logs_in(client, address=PROXY, forwarded="198.51.100.7")
    for n in range(3):  # the addresses it named are not locked
        assert logs_in(client, address=PROXY, forwarded=f"198.51.100.{n + 20}")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "198.51.100.7", "192.0.2.1"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.5, 198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.5,198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.5, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        (2, "198.51.100.7", "192.0.2.1"),  # fewer addresses than proxies: not through them all
        (1, None, "192.0.2.1"),
        (1, "unknown", "192.0.2.1"),
        (1, "203.0.113.5, not-an-address", "192.0.2.1"),
        (1, "2001:DB8:0:0::7", "2001:db8::7"),
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": "192.0.2.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected


def test_session_and_csrf_cookies_are_out_of_reach_of_scripts(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE <= 8 * 3600
