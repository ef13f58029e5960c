"""The list of screening hits: every open hit can be reached, page by page, and says whom
it is about."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from umis.core.testing import World
from umis.screening.models import ScreeningHit
from umis.screening.tests.test_intake import listed, register

pytestmark = pytest.mark.django_db


def many_hits(world: World, client: Client, count: int) -> list[ScreeningHit]:
    """`count` open hits of the Baku office, the first one raised on intake, oldest first."""
    listed(world)
    first = ScreeningHit.objects.get(case=register(client, world))
    copies = [
        ScreeningHit(
            entry=first.entry,
            person=first.person,
            case=first.case,
            office=first.office,
            score=first.score,
            reasons=first.reasons,
            entry_version=first.entry_version,
            person_fingerprint=first.person_fingerprint,
        )
        for _ in range(count - 1)
    ]
    ScreeningHit.objects.bulk_create(copies)
    return list(ScreeningHit.objects.order_by("id"))


def test_the_oldest_of_many_open_hits_is_reached_page_by_page(world: World, client: Client) -> None:
    hits = many_hits(world, client, 230)
    client.force_login(world.alice)
    seen: set[int] = set()
    url = "/en/office/screening/hits/"
    pages = 0
    while url:
        page = client.get(url).content.decode()
        rows = {int(i) for i in re.findall(r'href="/en/office/screening/hits/(\d+)/"', page)}
        assert len(rows) <= 50
        seen |= rows
        pages += 1
        following = re.search(r'<a href="(\?[^"]*)"[^>]*>Next</a>', page)
        url = (
            "/en/office/screening/hits/" + following.group(1).replace("&amp;", "&")
            if following
            else ""
        )
        assert pages <= 10
    assert seen == {h.pk for h in hits}
    assert "Page 5 of 5" in page


def test_each_hit_in_the_list_names_the_person_and_the_case(world: World, client: Client) -> None:
    hits = many_hits(world, client, 1)
    client.force_login(world.alice)
    page = client.get("/ru/office/screening/hits/").content.decode()
    row = page.split(f'href="/ru/office/screening/hits/{hits[0].pk}/"', 1)[1].split("</tr>")[0]
    assert "Найдено совпадений: 1" in page
    assert "Hüseynov Rəşad" in row
    assert hits[0].case.reference in row
    assert timezone.localtime(hits[0].created_at).strftime("%d.%m.%Y %H:%M") in row


def test_the_persons_file_lists_the_hits_on_them(world: World, client: Client) -> None:
    (hit,) = many_hits(world, client, 1)
    client.force_login(world.alice)
    page = client.get(f"/ru/office/people/{hit.person_id}/?purpose=screening&ref=H{hit.pk}")
    hits = page.content.decode().split('id="person-hits"')[1].split("</table>")[0]
    assert f'href="/ru/office/screening/hits/{hit.pk}/"' in hits
    assert "Запрет на въезд · Запреты на въезд" in hits and "Открыто" in hits
    # the head office, opening the file for supervision, sees it too
    client.force_login(world.hannah)
    assert (
        f"/screening/hits/{hit.pk}/"
        in client.get(f"/en/office/people/{hit.person_id}/?purpose=supervision").content.decode()
    )


def test_a_status_the_list_does_not_know_is_reported_beside_the_filter(
    world: World, client: Client
) -> None:
    (hit,) = many_hits(world, client, 1)
    hit.status = "dismissed"
    hit.save(update_fields=["status"])
    client.force_login(world.alice)
    unknown = client.get("/ru/office/screening/hits/?status=dismised")
    assert unknown.status_code == 400
    page = unknown.content.decode()
    errors = page.split('id="filter-errors">', 1)[1].split("</div>", 1)[0]
    assert "Список не показан: исправьте фильтр." in errors
    assert "Статус: «dismised» нет в этом списке: выберите из списка." in errors
    assert '<select name="status" aria-invalid="true">' in page
    assert 'id="hits"' not in page and f"/screening/hits/{hit.pk}/" not in page
    assert 'id="hit-count"' not in page
    # all (or an empty status) lists every hit, no status the open ones, as before
    for query in ("?status=all", "?status=", "?status=dismissed"):
        listed_page = client.get(f"/en/office/screening/hits/{query}")
        assert listed_page.status_code == 200, query
        assert f'href="/en/office/screening/hits/{hit.pk}/"' in listed_page.content.decode()
    default = client.get("/en/office/screening/hits/")
    assert default.status_code == 200
    assert "Hits found: 0" in default.content.decode()


@pytest.mark.parametrize(
    ("lang", "whole", "fraction"),
    [("az", "100", "94,3"), ("en", "100", "94.3"), ("ru", "100", "94,3")],
)
def test_a_score_reads_the_same_on_every_page_in_the_readers_language(
    world: World, client: Client, lang: str, whole: str, fraction: str
) -> None:
    listed(world)
    exact = ScreeningHit.objects.get(case=register(client, world))
    close = ScreeningHit.objects.get(
        case=register(
            client,
            world,
            surname="Huseynov",
            given_names="Rashad",
            birth_date="1985-03-17",
            document_number="X1234567",
        )
    )
    assert (exact.score, close.score) == (100.0, 94.3)
    client.force_login(world.alice)
    prefix = "" if lang == "az" else f"/{lang}"
    hits = client.get(f"{prefix}/office/screening/hits/").content.decode()
    for hit, shown in [(exact, whole), (close, fraction)]:
        row = hits.split(f'/office/screening/hits/{hit.pk}/"', 1)[1].split("</tr>")[0]
        assert re.findall(r'<td class="score">([^<]*)</td>', row) == [shown]
        page = client.get(f"{prefix}/office/screening/hits/{hit.pk}/").content.decode()
        assert re.findall(r'<strong id="hit-score">([^<]*)</strong>', page) == [shown]
        assert hit.case is not None
        case = client.get(f"{prefix}/office/cases/{hit.case.reference}/").content.decode()
        table = case.split('id="case-hits"')[1].split("</table>")[0]
        assert re.findall(r'<td class="score">([^<]*)</td>', table) == [shown]
        history = case.split('id="history"')[1].split("</ol>")[0]
        assert re.findall(r'<span class="note">[^<]*\(([^)<]*)\)</span>', history) == [shown]
        person = client.get(
            f"{prefix}/office/people/{hit.person_id}/?purpose=screening&ref=H{hit.pk}"
        ).content.decode()
        table = person.split('id="person-hits"')[1].split("</table>")[0]
        assert re.findall(r'<td class="score">([^<]*)</td>', table) == [shown]
