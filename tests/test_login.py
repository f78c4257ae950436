"""Staff login: failed attempts are throttled by django-axes, per user name and
address, and the lockout page says so in Vietnamese."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/"


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return get_user_model().objects.create_user("canbo", password="mat-khau-dung-1", is_staff=True)


def attempt(client, password, *, address="10.0.0.1"):
    return client.post(LOGIN, {"username": "canbo", "password": password, "next": "/staff/"}, REMOTE_ADDR=address)


def test_the_right_password_logs_in_and_resets_the_count(client, staff):
    for _ in range(2):
        assert attempt(client, "sai").status_code == 200  # the form again, with its error
    assert attempt(client, "mat-khau-dung-1").status_code == 302
    client.logout()
    for _ in range(2):  # the earlier failures no longer count
        attempt(client, "sai")
    assert attempt(client, "mat-khau-dung-1").status_code == 302


def test_too_many_failures_lock_the_name_out_from_that_address_even_with_the_right_password(client, staff):
    for _ in range(3):
        attempt(client, "sai")
    locked = attempt(client, "mat-khau-dung-1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page and "30 phút" in page
    assert "_auth_user_id" not in client.session
    # Another address is not locked out with it.
    assert attempt(client, "mat-khau-dung-1", address="10.0.0.2").status_code == 302


def test_session_and_csrf_cookies_are_out_of_reach_of_scripts(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE <= 8 * 3600
