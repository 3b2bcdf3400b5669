"""Login behind the documented nginx (docs/deployment.md) and caching of private responses
(accounts/login_security.py, accounts/middleware.py).

Every request reaches Django from the proxy's address; the proxy appends the client's address
to X-Forwarded-For. Locks are per user name and client address, plus one per client address
across user names; what a client writes into X-Forwarded-For itself counts for nothing."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts.login_security import client_ip, zh_duration
from accounts.roles import Role
from tests.factories import PASSWORD, ClueFactory, UserFactory
from tests.test_deploy_check import manage, production_env
from workflow.models import Attachment

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx, as gunicorn sees it
X = "203.0.113.10"  # a client
Y = "198.51.100.20"  # another client
LOCKED = "请30分钟后再试"
BEHIND_NGINX = override_settings(ECOCLAIM_TRUSTED_PROXY_COUNT=1)


def log_in(client, username, password, *, client_addr=X, spoofed=None):
    """A login POST as nginx forwards it: `spoofed` is what the client itself sent as
    X-Forwarded-For, to which nginx appends the address the client connected from."""
    forwarded = f"{spoofed}, {client_addr}" if spoofed is not None else client_addr
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def fail(client, username, times, **kwargs):
    return [log_in(client, username, "wrong-Passw0rd", **kwargs).status_code
            for _ in range(times)]


def is_locked_out(response) -> bool:
    return response.status_code == 429 and LOCKED in response.content.decode()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


# --- the client's address --------------------------------------------------------------------

@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "192.0.2.1", PROXY),  # no proxy configured: the header is ignored
    (1, "192.0.2.1", "192.0.2.1"),
    (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client's own entry is left of the proxy's
    (1, "6.6.6.6, , 192.0.2.1", "192.0.2.1"),
    (1, None, PROXY),  # did not come through the proxy
    (1, "not-an-address", PROXY),
    (1, "2001:DB8:0:0::1", "2001:db8::1"),
    (2, "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),  # CDN then nginx
    (2, "192.0.2.1", PROXY),
])
def test_client_ip_counts_trusted_proxies_from_the_right(settings, count, forwarded, expected):
    settings.ECOCLAIM_TRUSTED_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)
    assert client_ip(request) == expected


def test_production_and_development_defaults():
    assert settings.ECOCLAIM_TRUSTED_PROXY_COUNT == 0  # tests and `make run`: REMOTE_ADDR
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.login_security.client_ip"
    assert settings.ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT >= settings.AXES_FAILURE_LIMIT


def test_production_trusts_the_one_documented_proxy():
    show = "from django.conf import settings as s; print(s.ECOCLAIM_TRUSTED_PROXY_COUNT)"
    result = manage("shell", "-c", show, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_an_address_limit_below_the_user_limit_is_refused():
    result = manage("check", env=production_env(ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT="3"))
    assert result.returncode != 0
    assert "ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT must not be below AXES_FAILURE_LIMIT" \
        in result.stderr


# --- locks per user name and address ---------------------------------------------------------

@BEHIND_NGINX
def test_five_wrong_passwords_lock_the_user_only_from_that_client(client, alice):
    assert fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1) == [200] * 4
    last = log_in(client, "alice", "wrong-Passw0rd")
    assert is_locked_out(last)

    # even the right password is refused from X now
    assert is_locked_out(log_in(client, "alice", PASSWORD, client_addr=X))
    # the same account from another client logs in
    response = log_in(Client(), "alice", PASSWORD, client_addr=Y)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}


@BEHIND_NGINX
def test_a_spoofed_forwarded_for_neither_escapes_nor_locks_others(client, alice, bob):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    # X claims to be Y: the address used is still the one nginx appended
    assert is_locked_out(log_in(client, "alice", PASSWORD, spoofed=Y))
    assert is_locked_out(log_in(client, "alice", PASSWORD, spoofed=f"{Y}, {Y}"))

    # X, pretending to be Y, fails on bob's account: bob from Y is not affected
    fail(client, "bob", settings.AXES_FAILURE_LIMIT, spoofed=Y)
    assert AccessAttempt.objects.filter(ip_address=Y).count() == 0
    assert log_in(Client(), "bob", PASSWORD, client_addr=Y).status_code == 302
    assert log_in(Client(), "alice", PASSWORD, client_addr=Y).status_code == 302


def test_without_a_configured_proxy_the_header_is_ignored(client, alice):
    # a client talking to gunicorn directly cannot pick a fresh address per attempt
    codes = [client.post(reverse("login"), {"username": "alice", "password": "wrong-Passw0rd"},
                         REMOTE_ADDR=X, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
             for n in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}


# --- lock per address across user names ------------------------------------------------------

@BEHIND_NGINX
@override_settings(ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT=7)
def test_one_address_guessing_many_user_names_is_locked(client, alice):
    codes = [log_in(client, f"guess{n}", "wrong-Passw0rd").status_code for n in range(6)]
    assert codes == [200] * 6  # one failure per name: no pair reaches 5
    assert is_locked_out(log_in(client, "guess6", "wrong-Passw0rd"))  # the 7th from X

    # the address is locked for every name, alice included; alice elsewhere is not
    assert is_locked_out(log_in(client, "alice", PASSWORD))
    assert log_in(Client(), "alice", PASSWORD, client_addr=Y).status_code == 302


@BEHIND_NGINX
@override_settings(ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT=7)
def test_logging_in_to_ones_own_account_does_not_wipe_the_address_count(client, alice):
    codes = [log_in(client, f"guess{n}", "wrong-Passw0rd").status_code for n in range(5)]
    fail(client, "alice", 1)
    assert codes == [200] * 5
    assert log_in(Client(), "alice", PASSWORD).status_code == 302  # forgives alice's one failure
    assert log_in(client, "guess5", "wrong-Passw0rd").status_code == 200  # 6 from X
    assert is_locked_out(log_in(client, "guess6", "wrong-Passw0rd"))  # 7


# --- the lockout page ------------------------------------------------------------------------

@BEHIND_NGINX
def test_the_lockout_page_is_chinese_and_says_how_long(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    response = log_in(client, "alice", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page and "PT30M" not in page
    assert "登录失败次数过多" in page
    assert response["Retry-After"] == "1800"
    assert "no-store" in response["Cache-Control"]


@BEHIND_NGINX
@override_settings(AXES_COOLOFF_TIME=timedelta(hours=1, minutes=30))
def test_the_lockout_page_follows_the_cooloff_setting(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    page = log_in(client, "alice", PASSWORD).content.decode()
    assert "请1小时30分钟后再试" in page and "PT1H30M" not in page


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(minutes=30), "30分钟"),
    (timedelta(hours=1), "1小时"),
    (timedelta(days=1, minutes=5), "1天5分钟"),
    (timedelta(seconds=45), "45秒"),
])
def test_zh_duration(delta, text):
    assert zh_duration(delta) == text


# --- Cache-Control ---------------------------------------------------------------------------

def test_logged_in_pages_are_not_stored(client, demo_org):
    client.force_login(demo_org.users[Role.OFFICER])
    for url in (reverse("home"), reverse("screening:clue_list")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"]


def test_an_attachment_download_is_not_stored(client, demo_org):
    officer = demo_org.by_username["jingban"]
    clue = ClueFactory(department=demo_org.departments["市生态环境局"], registered_by=officer)
    client.force_login(officer)
    client.post(reverse("screening:clue_attach", args=[clue.pk]), {
        "file": SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4\n%%EOF\n",
                                   content_type="application/pdf"),
        "description": ""})
    response = client.get(reverse("workflow:download_attachment",
                                  args=[Attachment.objects.get().pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_a_generated_pdf_download_is_not_stored(client, demo_org):
    from tests.documents.factories import demo_case

    officer = demo_org.users[Role.OFFICER]
    case = demo_case(demo_org, stage="investigating")
    client.force_login(officer)
    generated = client.post(reverse("documents:form_generate", args=[case.pk, "1"]))
    assert generated.status_code == 302
    assert "no-store" in generated["Cache-Control"]
    response = client.get(generated["Location"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    response.close()


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_keep_their_caching(demo_org):
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(demo_org.users[Role.OFFICER])
    for client in (anonymous, logged_in):
        response = client.get("/static/css/ecoclaim.css")
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert "no-store" not in response["Cache-Control"]
