"""Reviewer lookups are limited per account, so the list cannot be rebuilt from the public
法人番号 file one number at a time."""

from __future__ import annotations

from portal.throttle import LOOKUPS_PER_DAY, LOOKUPS_PER_HOUR
from tests.portal.conftest import Portal, logged_in

NUMBER = "7000012050002"  # 国税庁: valid, never a candidate here


def test_a_reviewer_has_an_hourly_quota_wherever_it_asks_from(fresh: Portal):
    reviewer = logged_in(fresh, "reviewer")
    for _ in range(LOOKUPS_PER_HOUR):
        assert reviewer.get(f"/api/lookup/{NUMBER}").status_code == 200
    refused = reviewer.get(f"/api/lookup/{NUMBER}")
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 3600
    assert "照会の上限" in refused.json()["error"] and "listings" not in refused.json()
    page = reviewer.get("/lookup", params={"corporate_number": NUMBER})
    assert page.status_code == 429 and "照会の上限" in page.text
    elsewhere = logged_in(fresh, "reviewer")  # another browser, the same account
    assert elsewhere.get(f"/api/lookup/{NUMBER}").status_code == 429
    assert logged_in(fresh, "secretariat").get(f"/api/lookup/{NUMBER}").status_code == 200  # has the list
    fresh.clock.advance(3601)  # the sessions have ended too (30 idle minutes)
    assert logged_in(fresh, "reviewer").get(f"/api/lookup/{NUMBER}").status_code == 200
    results = [e[5] for e in fresh.store().audit_log.entries() if e[3] == "lookup"]
    assert results.count("rate_limited") == 3 and results.count("not_listed") == LOOKUPS_PER_HOUR + 2


def test_the_daily_quota_holds_across_hours(fresh: Portal):
    quota = fresh.store().lookups
    for hour in range(LOOKUPS_PER_DAY // LOOKUPS_PER_HOUR):
        for _ in range(LOOKUPS_PER_HOUR):
            assert quota.take("reviewer") == 0, hour
        assert quota.take("reviewer") > 0
        fresh.clock.advance(3601)
    assert quota.take("reviewer") > 3600  # the hour has passed, the day has not
    assert quota.take("another") == 0  # per account
    fresh.clock.advance(86_400)
    assert quota.take("reviewer") == 0
