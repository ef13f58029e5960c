"""The officer queue filtered by assignee ("assigned to me / nobody / any officer") on
PostgreSQL with 100,000 cases of one office: the time of each page's queries and the
indexes their plans read.

Run after `bench/setup_data.py 100000` against the same database:
    DATABASE_URL=postgres://… .venv/bin/python bench/queue_assigned.py --prepare
    DATABASE_URL=postgres://… .venv/bin/python bench/queue_assigned.py
`--prepare` closes two cases in five, gives 20 Baku officers the open cases in their hands
(5,000 of them to one officer, `bench.o3`) and a fifth of the closed ones, and 500 open
cases to a head-office officer; then VACUUM ANALYZE, as a running database would be.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from umis.accounts.models import Role, User  # noqa: E402
from umis.cases.selectors import QueueFilter, case_queue_for_user  # noqa: E402
from umis.reference.models import Office  # noqa: E402

ROUNDS = 5


def prepare() -> None:
    baku = Office.objects.get(code="baku")
    officers = [
        User.objects.get_or_create(
            username=f"bench.o{i}", defaults={"role": Role.REGIONAL_OFFICER, "office": baku}
        )[0]
        for i in range(20)
    ]
    head = User.objects.get_or_create(
        username="bench.head",
        defaults={"role": Role.HEAD_OFFICER, "office": Office.objects.get(code="head")},
    )[0]
    with connection.cursor() as c:
        c.execute("UPDATE cases_case SET is_open = false WHERE id % 5 < 2")
        c.execute(
            "UPDATE cases_case SET assignee_id = (%s::int[])[1 + id %% 20] "
            "WHERE (is_open AND id %% 20 = 3) OR (NOT is_open AND id %% 5 = 0)",
            [[o.pk for o in officers]],
        )
        c.execute(
            "UPDATE cases_case SET assignee_id = %s WHERE is_open AND id %% 200 = 7", [head.pk]
        )
    connection.ensure_connection()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE cases_case")


def main() -> None:
    users = [User.objects.get(username="bench.o3"), User.objects.get(username="bench.head")]
    print("who         assigned closed page  count   median ms  indexes read")
    for user in users:
        for assigned in ("", "me", "nobody", "anyone"):
            for closed in (False, True):
                for number in (1, 50):
                    filters = QueueFilter(assigned=assigned, include_closed=closed)
                    timings = []
                    for _ in range(ROUNDS):
                        with CaptureQueriesContext(connection) as queries:
                            start = time.perf_counter()
                            page = case_queue_for_user(user=user, filters=filters, page=number)
                            list(page)
                            timings.append(time.perf_counter() - start)
                    indexes: set[str] = set()
                    for q in queries.captured_queries:
                        with connection.cursor() as c:
                            c.execute("EXPLAIN " + q["sql"])
                            plan = " ".join(r[0] for r in c.fetchall())
                        indexes.update(
                            re.findall(r"(?:Index|Index Only) Scan (?:Backward )?using (\w+)", plan)
                        )
                        indexes.update(re.findall(r"Bitmap Index Scan on (\w+)", plan))
                        if "Seq Scan on cases_case" in plan:
                            indexes.add("seq scan of cases_case")
                    shown = sorted(i for i in indexes if not i.endswith("_pkey"))
                    print(
                        f"{user.username:11} {assigned or 'all':8} {closed!s:6} {number:4} "
                        f"{page.paginator.count:6} {statistics.median(timings) * 1000:10.1f}  "
                        + ", ".join(shown)
                    )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        prepare()
    else:
        main()
