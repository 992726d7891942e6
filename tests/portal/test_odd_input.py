"""Whatever a client sends, the portal answers with a 4xx, never a 500."""

from __future__ import annotations

from tests.portal.conftest import CSRF, Portal, login


def test_odd_input_gets_a_refusal_not_a_server_error(fresh: Portal):
    anonymous = fresh.client("198.51.100.7", raise_server_exceptions=False)
    token = CSRF.search(anonymous.get("/login").text).group(1)
    odd_login = [
        {"username": "pref13", "password": "x" * 20, "csrf_token": "トークン"},  # non-ASCII token
        {"username": "pref13", "password": "x" * 20, "csrf_token": f"{token}é"},
        {"username": "a\x00b\x0b<script>", "password": "\x00" * 20, "csrf_token": token},
        {"username": "pref13", "password": "𠮷" * 500, "csrf_token": token},
    ]
    statuses = [anonymous.post("/login", data=form).status_code for form in odd_login]
    assert statuses == [403, 403, 401, 401]
    secretariat = fresh.client(raise_server_exceptions=False)
    assert login(secretariat, "secretariat").status_code == 303
    assert secretariat.post("/logout", data={"csrf_token": "ログアウト"}).status_code == 403
    odd_gets = {
        "/secretariat/audit?before=99999999999999999999": 422,
        "/secretariat/audit?until=9999-12-31&since=0001-01-01": 200,
        "/secretariat/audit?username=%00%0b&address=" + "x" * 65: 422,
        f"/prefectures/13/{'9' * 30}/candidates.csv": 404,
        "/api/lookup/" + "１" * 500: 422,
        "/lookup?corporate_number=%00": 422,
        "/secretariat?year=99999999999999999999": 200,
    }
    for path, status in odd_gets.items():
        assert secretariat.get(path).status_code == status, path
