"""Identity review through the API, as an officer's system uses it: list the possible
duplicates, read one, link or keep separate, undo a merge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Scope, User
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core.testing import World, guest
from umis.people.models import IdentityMatch, Person, PersonMerge
from umis.people.services import identity_matches_propose
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _key(user: User, scopes: list[str] | None = None) -> str:
    _client, key = api_client_create(
        actor=None,
        name=f"{user.username} desk",
        user=user,
        scopes=scopes or [Scope.IDENTITY_REVIEW],
    )
    return key


def _doubtful_pair(world: World) -> IdentityMatch:
    """Two stays in Baku: the same man with another passport and a birth date one digit off."""
    for overrides in ({}, {"birth_date": "1985-03-17", "document_number": "C7654321"}):
        stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest(**overrides)])
    return IdentityMatch.objects.get()


def _get(client: Client, key: str, path: str, lang: str = "en", **params: Any) -> Any:
    return client.get(f"/api/v1{path}", params, HTTP_X_API_KEY=key, HTTP_ACCEPT_LANGUAGE=lang)


def _post(client: Client, key: str, path: str, body: Any, lang: str = "en") -> Any:
    return client.post(
        f"/api/v1{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_an_officer_lists_reads_and_links_a_pair_then_undoes_the_merge(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    key = _key(world.alice)

    listed = _get(client, key, "/identity/reviews")
    assert listed.status_code == 200
    body = listed.json()
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    item = body["items"][0]
    assert (item["id"], item["source"], item["status"], item["version"]) == (
        match.pk,
        "intake",
        "open",
        1,
    )
    assert "birth_date_one_digit" in item["reasons"]
    assert "surname" not in item  # names only in the audited one-task read
    assert AuditEvent.objects.filter(
        action="IDENTITY_MATCHES_LISTED", actor=world.alice, data__matches=[match.pk]
    ).exists()

    detail = _get(client, key, f"/identity/reviews/{match.pk}")
    assert detail.status_code == 200
    task = detail.json()
    assert [p["documents"][0]["number"] for p in task["persons"]] == ["U12345678", "C7654321"]
    assert [p["birth_date"] for p in task["persons"]] == ["1985-03-14", "1985-03-17"]
    assert task["persons"][0]["surname"] == "Hüseynov"
    assert task["score"] == match.score and task["merge"] is None
    viewed = AuditEvent.objects.filter(action="PERSON_VIEWED", actor=world.alice)
    assert sorted(viewed.values_list("person_id", flat=True)) == sorted(
        [match.person_id, match.candidate_id]
    )

    decided = _post(
        client,
        key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "same man, passport renewed", "version": 1},
    )
    assert decided.status_code == 200
    out = decided.json()
    assert (out["status"], out["version"], out["decision_reason"]) == (
        "linked",
        2,
        "same man, passport renewed",
    )
    old, new = Person.objects.order_by("id")
    assert (out["merge"]["survivor_id"], out["merge"]["merged_id"]) == (old.pk, new.pk)
    assert Case.objects.filter(applicant=old).count() == 2
    assert AuditEvent.objects.filter(action="IDENTITY_MATCH_LINKED", actor=world.alice).count() == 2
    assert AuditEvent.objects.filter(action="PERSON_MERGED").count() == 2
    assert _get(client, key, "/identity/reviews").json()["count"] == 0
    assert _get(client, key, "/identity/reviews", status="linked").json()["count"] == 1

    undone = _post(
        client,
        key,
        f"/identity/merges/{out['merge']['id']}/unmerge",
        {"reason": "two brothers after all", "version": 1},
    )
    assert undone.status_code == 200
    assert undone.json()["unmerge_reason"] == "two brothers after all"
    assert undone.json()["version"] == 2
    assert Case.objects.filter(applicant=old).count() == 1
    assert Case.objects.filter(applicant=new).count() == 1
    match.refresh_from_db()
    assert match.status == "separate"
    again = _post(
        client,
        key,
        f"/identity/merges/{out['merge']['id']}/unmerge",
        {"reason": "again", "version": 1},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "version_conflict"


def test_keep_separate_is_recorded_and_a_stale_version_gets_409(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    key = _key(world.hannah)
    stale = _post(
        client,
        key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "same man", "version": 2},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert not PersonMerge.objects.exists()
    match.refresh_from_db()
    assert (match.status, match.version) == ("open", 1)

    kept = _post(
        client,
        key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "separate", "reason": "different fathers' names", "version": 1},
    )
    assert kept.status_code == 200
    assert (kept.json()["status"], kept.json()["merge"]) == ("separate", None)
    assert Person.objects.filter(merged_into__isnull=True).count() == 2
    assert (
        AuditEvent.objects.filter(action="IDENTITY_MATCH_KEPT_SEPARATE", actor=world.hannah).count()
        == 2
    )
    replay = _post(
        client,
        key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "changed my mind", "version": 1},
    )
    assert replay.status_code == 409
    assert not PersonMerge.objects.exists()


def test_filters_by_source_and_score_and_orders_best_or_newest(
    world: World, client: Client
) -> None:
    intake = _doubtful_pair(world)
    for surname, given, birth, number in (
        ("Məmmədov", "Elvin", "1970-05-01", "U55500001"),
        ("Qasımova", "Leyla", "1995-11-30", "U55500002"),
    ):
        stay_registrations_submit(
            actor=world.harry,
            host=world.hotel,
            raws=[
                guest(surname=surname, given_names=given, birth_date=birth, document_number=number)
            ],
        )
    a, b = Person.objects.filter(surname__in=["Məmmədov", "Qasımova"]).order_by("id")
    [dedup] = identity_matches_propose(
        actor=None, proposals=[(a.pk, b.pk, 0.999, ["surname:transliteration"])]
    )
    assert IdentityMatch.objects.count() == 2
    key = _key(world.hannah)

    def ids(**params: Any) -> list[int]:
        response = _get(client, key, "/identity/reviews", **params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids(source="dedup") == [dedup.pk]
    assert ids(source="intake") == [intake.pk]
    assert ids() == [dedup.pk, intake.pk]  # best first: 99.9 before the intake score
    assert ids(order="newest") == [dedup.pk, intake.pk]
    assert ids(min_score=99.5) == [dedup.pk]
    assert ids(per_page=1, page=2) == [intake.pk]


def test_an_officer_of_another_region_gets_404_and_nothing_changes(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    key = _key(world.bob)
    assert _get(client, key, "/identity/reviews").json()["items"] == []
    assert _get(client, key, f"/identity/reviews/{match.pk}").status_code == 404
    response = _post(
        client,
        key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "x", "version": 1},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    match.refresh_from_db()
    assert (match.status, match.version) == ("open", 1)
    assert not PersonMerge.objects.exists()
    assert (
        AuditEvent.objects.filter(action="IDENTITY_MATCH_ACCESS_DENIED", actor=world.bob).count()
        == 2
    )
    assert not AuditEvent.objects.filter(action="PERSON_VIEWED", actor=world.bob).exists()


def test_keys_without_the_scope_or_of_a_non_officer_are_refused_and_logged(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    hotel = _post(
        client,
        world.hotel_key,
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "x", "version": 1},
    )
    assert hotel.status_code == 403
    assert hotel.json()["error"]["code"] == "scope_missing"
    assert AuditEvent.objects.filter(
        action="API_SCOPE_DENIED", actor=world.harry, data__scope="identity_review"
    ).exists()

    host_key = _key(world.harry)  # a host's account given the scope by mistake
    listed = _get(client, host_key, "/identity/reviews")
    assert listed.status_code == 403
    assert listed.json()["error"]["code"] == "officers_only"
    assert AuditEvent.objects.filter(
        action="IDENTITY_REVIEW_ACCESS_DENIED", actor=world.harry
    ).exists()
    assert _get(client, host_key, f"/identity/reviews/{match.pk}").status_code == 404
    assert client.get("/api/v1/identity/reviews").status_code == 401
    match.refresh_from_db()
    assert (match.status, match.version) == ("open", 1)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"decision": "maybe", "reason": "x", "version": 1}, "invalid_decision", "decision"),
        ({"decision": "link", "reason": "   ", "version": 1}, "reason_required", "reason"),
        ({"decision": "link", "reason": "x" * 2001, "version": 1}, "too_long", "reason"),
        ({"decision": "link", "reason": "x"}, "required", "version"),
        ({"decision": "link", "reason": "x", "version": "one"}, "invalid", "version"),
        # read as sent: true and "1" were taken as the version 1 and the pair linked
        ({"decision": "link", "reason": "x", "version": True}, "invalid", "version"),
        ({"decision": "link", "reason": "x", "version": "1"}, "invalid", "version"),
        ({"reason": "x", "version": 1}, "required", "decision"),
    ],
)
def test_bad_decisions_get_a_coded_translated_error_and_change_nothing(
    world: World, client: Client, body: dict[str, Any], code: str, field: str
) -> None:
    match = _doubtful_pair(world)
    key = _key(world.alice)
    messages = set()
    for lang in ("en", "ru"):
        response = _post(client, key, f"/identity/reviews/{match.pk}/decision", body, lang=lang)
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert (error["code"], error["field"]) == (code, field)
        messages.add(error["message"])
    assert len(messages) == 2  # English and Russian
    match.refresh_from_db()
    assert (match.status, match.version) == ("open", 1)
    assert (
        not AuditEvent.objects.filter(action__startswith="IDENTITY_MATCH_")
        .exclude(action="IDENTITY_MATCH_RAISED")
        .exists()
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"source": "border"}, "source"),
        ({"order": "oldest"}, "order"),
        ({"status": "closed"}, "status"),
        ({"min_score": "101"}, "min_score"),
        ({"min_score": "high"}, "min_score"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_filters_get_a_coded_error(
    world: World, client: Client, params: dict[str, str], field: str
) -> None:
    key = _key(world.alice)
    messages = set()
    for lang in ("en", "ru"):
        response = _get(client, key, "/identity/reviews", lang=lang, **params)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field
        messages.add(response.json()["error"]["message"])
    assert len(messages) == 2  # English and Russian


def test_bad_identifiers_are_4xx_not_500(world: World, client: Client) -> None:
    key = _key(world.alice)
    assert _get(client, key, "/identity/reviews/abc").status_code == 422
    huge = _get(client, key, f"/identity/reviews/{10**30}")
    assert huge.status_code == 422
    assert huge.json()["error"]["field"] == "match_id"
    assert _get(client, key, "/identity/reviews/987654").status_code == 404
    merge = _post(client, key, "/identity/merges/987654/unmerge", {"reason": "x", "version": 1})
    assert merge.status_code == 404
    assert AuditEvent.objects.filter(
        action="PERSON_MERGE_ACCESS_DENIED", entity_id="987654"
    ).exists()


def test_the_api_description_lists_the_identity_review_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/identity/reviews",
        "/api/v1/identity/reviews/{match_id}",
        "/api/v1/identity/reviews/{match_id}/decision",
        "/api/v1/identity/merges/{merge_id}/unmerge",
    } <= set(paths)


def test_an_officer_of_another_region_cannot_undo_a_merge(world: World, client: Client) -> None:
    match = _doubtful_pair(world)
    linked = _post(
        client,
        _key(world.alice),
        f"/identity/reviews/{match.pk}/decision",
        {"decision": "link", "reason": "same man", "version": 1},
    ).json()
    merge_id = linked["merge"]["id"]
    refused = _post(
        client,
        _key(world.bob),
        f"/identity/merges/{merge_id}/unmerge",
        {"reason": "not mine to undo", "version": 1},
    )
    assert refused.status_code == 404
    merge = PersonMerge.objects.get(pk=merge_id)
    assert (merge.unmerged_at, merge.version) == (None, 1)
    assert AuditEvent.objects.filter(
        action="PERSON_MERGE_ACCESS_DENIED", actor=world.bob, entity_id=str(merge_id)
    ).exists()
    assert not AuditEvent.objects.filter(action="PERSON_UNMERGED").exists()


def test_a_retried_decision_with_its_idempotency_key_gets_the_first_answer(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    key = _key(world.alice)
    body = {"decision": "link", "reason": "same man", "version": 1}

    def decide(payload: dict[str, Any], idem: str) -> Any:
        return client.post(
            f"/api/v1/identity/reviews/{match.pk}/decision",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_X_API_KEY=key,
            HTTP_IDEMPOTENCY_KEY=idem,
        )

    first = decide(body, "desk-42")
    again = decide(body, "desk-42")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["replayed"] is True
    assert again.json()["merge"]["id"] == first.json()["merge"]["id"]
    assert PersonMerge.objects.count() == 1
    assert AuditEvent.objects.filter(action="IDENTITY_MATCH_LINKED").count() == 2
    other = decide({**body, "reason": "another reason"}, "desk-42")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def _parameters(client: Client, path: str, method: str) -> dict[str, dict[str, Any]]:
    operation = client.get("/api/v1/openapi.json").json()["paths"][f"/api/v1{path}"][method]
    return {p["name"]: p["schema"] for p in operation["parameters"]}


@pytest.mark.parametrize(
    ("path", "method", "name"),
    [
        ("/identity/reviews/{match_id}", "get", "match_id"),
        ("/identity/reviews/{match_id}/decision", "post", "match_id"),
        ("/identity/merges/{merge_id}/unmerge", "post", "merge_id"),
    ],
)
def test_the_document_states_the_identifiers_the_api_takes(
    world: World, client: Client, path: str, method: str, name: str
) -> None:
    schema = _parameters(client, path, method)[name]
    assert (schema["minimum"], schema["maximum"]) == (1, 2**63 - 1)
    key = _key(world.alice)
    body = {"reason": "x", "version": 1, **({"decision": "separate"} if "decision" in path else {})}
    for value, status in ((schema["minimum"] - 1, 422), (schema["minimum"], 404)):
        url = path.replace("{" + name + "}", str(value))
        response = _get(client, key, url) if method == "get" else _post(client, key, url, body)
        assert response.status_code == status
        if status == 422:
            assert response.json()["error"]["field"] == name


def test_the_document_states_the_values_each_review_filter_takes(
    world: World, client: Client
) -> None:
    schemas = _parameters(client, "/identity/reviews", "get")
    assert schemas["status"]["enum"] == ["open", "linked", "separate", "superseded"]
    assert schemas["source"]["enum"] == ["intake", "dedup"]
    assert schemas["order"]["enum"] == ["best", "newest"]
    bounds = {
        name: (schema["minimum"], schema["maximum"])
        for name, schema in schemas.items()
        if "minimum" in schema
    }
    assert bounds == {"min_score": (0, 100), "page": (1, 1_000_000), "per_page": (1, 100)}
    key = _key(world.alice)
    for name, (low, high) in bounds.items():
        assert _get(client, key, "/identity/reviews", **{name: low}).status_code == 200
        assert _get(client, key, "/identity/reviews", **{name: high}).status_code == 200
        for outside in (low - 1, high + 1):
            response = _get(client, key, "/identity/reviews", **{name: outside})
            assert response.status_code == 422
            assert response.json()["error"]["field"] == name
