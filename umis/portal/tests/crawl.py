"""A breadth-first crawl of the product through Django's test client, as one user, from a
few start pages: every same-site link (<a href>) and GET form (submitted with its default
values) is followed, state-changing addresses are never touched. Each HTML page is parsed
for what the crawl tests check: <html lang>, form fields and their labels, visible text."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from django.test import Client

from umis.border.overstays import overstays_detect
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.core.testing import World
from umis.portal.tests.scene import Scene, make_scene
from umis.visas.models import VisaApplication
from umis.visas.testing import application, pay_callback, traveller, watchlist_entry

LANGUAGES = ("az", "en", "ru")
PREFIX = {"az": "", "en": "/en", "ru": "/ru"}
# addresses outside the language prefixes (the API, the payment gateway's return page)
UNPREFIXED = ("/api/", "/payments/", "/static/", "/language/")
# never followed: they change state (sign-out), are not pages, or are the admin's own
# repetitions of one page (history, delete confirmation, pop-ups, a list's filters kept)
SKIPPED = re.compile(
    r"/logout/|^/language/|^/static/|^/media/|/admin/.*/(history|delete)/$"
    r"|[?&](_popup|_changelist_filters)="
)
UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}
INVISIBLE = {"script", "style", "template", "noscript"}
CODE = {"code", "kbd", "samp"}  # identifiers and commands, the same in every language
# attributes whose text people see or hear (a tooltip, a placeholder, a screen reader)
SPOKEN = ("title", "placeholder", "aria-label", "alt")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class FormField:
    tag: str
    type: str
    name: str
    id: str
    aria: bool  # aria-label or aria-labelledby
    in_label: bool
    value: str
    hidden: bool  # not shown (the hidden attribute or class, aria-hidden)


@dataclass
class GetForm:
    action: str
    fields: list[tuple[str, str]]


@dataclass
class Page:
    url: str
    status: int
    referrer: str
    content_type: str = ""
    lang: str | None = None
    links: list[str] = field(default_factory=list)
    forms: list[GetForm] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    text: list[str] = field(default_factory=list)  # visible text, one entry per text node
    inline: list[str] = field(default_factory=list)  # what the CSP refuses: inline code, styles
    # a table's header cells a screen reader cannot read with their cells: without a scope
    # (a column's or a row's), or without a name
    bad_headers: list[str] = field(default_factory=list)
    templates: tuple[str, ...] = ()

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    def unlabelled(self) -> list[FormField]:
        return [
            f
            for f in self.fields
            if f.type not in UNLABELLED_TYPES
            and f.name != "csrfmiddlewaretoken"
            and not f.aria
            and not f.hidden
            and not f.in_label
            and not (f.id and f.id in self.label_for)
        ]


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.label_depth = 0
        self.form: GetForm | None = None
        self.select: FormField | None = None
        self.option_selected: str | None = None
        self.first_option: str | None = None
        self.header: str | None = None  # the text of the header cell being read

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        page = self.page
        # an element marked as in another language (the language switch names each
        # language in its own) is not this page's text
        foreign = bool(attrs.get("lang")) and tag != "html" and attrs.get("lang") != page.lang
        for name in () if foreign else SPOKEN:
            text = " ".join(attrs.get(name, "").split())
            if text:
                page.text.append(text)
        if "style" in attrs:
            page.inline.append(f"<{tag} style=...>")
        page.inline.extend(f"<{tag} {k}=...>" for k in attrs if k.startswith("on"))
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            page.inline.append("<script> without src")
        if tag == "html":
            page.lang = attrs.get("lang")
        elif tag == "th":
            if attrs.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
                page.bad_headers.append("<th> without scope")
            self.header = ""
        elif tag == "a" and "href" in attrs:
            page.links.append(attrs["href"])
        elif tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                page.label_for.add(attrs["for"])
        elif tag == "form":
            if attrs.get("method", "get").lower() == "get":
                self.form = GetForm(action=attrs.get("action", ""), fields=[])
                page.forms.append(self.form)
        elif tag in {"input", "select", "textarea"}:
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            f = FormField(
                tag=tag,
                type=kind,
                name=attrs.get("name", ""),
                id=attrs.get("id", ""),
                aria=bool(attrs.get("aria-label") or attrs.get("aria-labelledby")),
                in_label=self.label_depth > 0,
                value=attrs.get("value", ""),
                hidden="hidden" in attrs
                or "hidden" in attrs.get("class", "").split()
                or attrs.get("aria-hidden") == "true",
            )
            page.fields.append(f)
            if self.form is not None and f.name and "disabled" not in attrs:
                if tag == "input" and kind in {"checkbox", "radio"}:
                    if "checked" in attrs:
                        self.form.fields.append((f.name, f.value or "on"))
                elif tag == "input" and kind not in {"submit", "button", "image", "reset"}:
                    self.form.fields.append((f.name, f.value))
                elif tag == "select":
                    self.select, self.option_selected, self.first_option = f, None, None
                elif tag == "textarea":
                    self.form.fields.append((f.name, ""))
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.option_selected = value
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.label_depth:
            self.label_depth -= 1
        elif tag == "form":
            self.form = None
        elif tag == "th" and self.header is not None:
            if not self.header.strip():
                self.page.bad_headers.append("<th> without text")
            self.header = None
        elif tag == "select" and self.select is not None:
            if self.form is not None:
                chosen = self.option_selected
                self.form.fields.append((self.select.name, chosen or self.first_option or ""))
            self.select = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.header is not None:
            self.header += data
        if any(t in INVISIBLE or t in CODE for t in self.stack):
            return
        text = " ".join(data.split())
        if text:
            self.page.text.append(text)


def parse(page: Page, html: str) -> None:
    _Parser(page).feed(html)


def language_of(path: str) -> str | None:
    """The language a page at this path is in (None: no language prefix applies)."""
    if path.startswith(UNPREFIXED):
        return None
    for lang in ("en", "ru"):
        if path == f"/{lang}" or path.startswith(f"/{lang}/"):
            return lang
    return "az"


def unprefixed(url: str) -> str:
    """The address of a page with its language prefix taken off (the az address)."""
    parts = urlsplit(url)
    path = parts.path
    for lang in ("en", "ru"):
        if path.startswith(f"/{lang}/"):
            path = path[len(lang) + 1 :]
    return urlunsplit(("", "", path, parts.query, ""))


def _same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    absolute = urljoin(f"http://testserver{base}", href)
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


@dataclass
class Crawl:
    pages: dict[str, Page] = field(default_factory=dict)
    truncated: bool = False

    def html_pages(self) -> list[Page]:
        return [p for p in self.pages.values() if p.is_html and p.status == 200]


def shape(path: str) -> str:
    """The path with its object ids taken out: /office/cases/SR-2026-000001/ and
    /admin/accounts/user/7/change/ stand for every case and every user."""
    return NUMBERED.sub("/#", ADMIN_OBJECT.sub(r"\1/#/", path))


NUMBERED = re.compile(r"/[A-Za-z0-9_-]*\d[A-Za-z0-9_.-]*(?=/|$)")
ADMIN_OBJECT = re.compile(r"^((?:/en|/ru)?/admin/[^/]+/[^/]+)/(?!add/)[^/]+/")


def crawl(
    client: Client,
    starts: Iterable[str],
    *,
    limit: int = 300,
    per_path: int = 2,
    per_shape: int = 2,
) -> Crawl:
    """Visit every same-site page reachable from `starts` (at most `limit`; at most
    `per_path` distinct query strings of one kind of page and `per_shape` objects of one kind, so
    filters, sort orders and objects are sampled, not enumerated)."""
    result = Crawl()
    starts = list(starts)
    queue: deque[tuple[str, str]] = deque((s, "") for s in starts)
    queued = set(starts)
    queries: dict[str, int] = {}
    shapes: dict[str, set[str]] = {}
    while queue:
        url, referrer = queue.popleft()
        if len(result.pages) >= limit:
            result.truncated = True
            break
        response = client.get(url)
        page = Page(
            url=url,
            status=response.status_code,
            referrer=referrer,
            content_type=response.get("Content-Type", ""),
            templates=tuple(t.name for t in getattr(response, "templates", []) if t.name),
        )
        result.pages[url] = page
        found: list[str] = []
        if 300 <= response.status_code < 400 and response.get("Location"):
            found.append(response["Location"])
        elif page.is_html and response.status_code == 200:
            body = (
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
                if response.streaming
                else response.content
            )
            parse(page, body.decode(response.charset or "utf-8"))
            found.extend(page.links)
            for form in page.forms:
                target = _same_site(url, form.action or url)
                if target is not None:
                    query = urlencode(form.fields)
                    found.append(f"{urlsplit(target).path}?{query}" if query else target)
        elif response.streaming:
            for _chunk in response.streaming_content:  # type: ignore[attr-defined]
                pass
        for href in found:
            target = _same_site(url, href)
            if target is None or target in queued or SKIPPED.search(target):
                continue
            path = urlsplit(target).path
            seen = shapes.setdefault(shape(path), set())
            if path not in seen:
                if len(seen) >= per_shape:
                    continue
                seen.add(path)
            if urlsplit(target).query:
                kind = shape(path)
                if queries.get(kind, 0) >= per_path:
                    continue
                queries[kind] = queries.get(kind, 0) + 1
            queued.add(target)
            queue.append((target, url))
    return result


WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def english_vocabulary() -> frozenset[str]:
    """English words: the product's own English (every msgid of the catalogues) and a list
    of about a thousand common English words."""
    import polib
    from django.conf import settings
    from faker.providers.lorem.en_US import Provider

    words = {w.lower() for w in Provider.word_list}
    for path in settings.LOCALE_PATHS:
        for entry in polib.pofile(f"{path}/az/LC_MESSAGES/django.po"):
            words.update(w.lower() for w in WORD.findall(entry.msgid))
    return frozenset(w for w in words if len(w) > 2)


SEPARATORS = re.compile(r" [—·|] |: ")


def _parts(texts: list[str]) -> list[str]:
    return [p.strip() for t in texts for p in SEPARATORS.split(t) if p.strip()]


def untranslated(page: Page, english: Page, vocabulary: frozenset[str]) -> list[str]:
    """Text of an az or ru page that is the same as on the page's English rendering and is
    made of English words (names, codes and numbers are not)."""
    same = set(page.text) & set(english.text)
    # a text node that joins several things ("Migration Code, art. 21 — <a name>") is also
    # compared part by part
    same |= set(_parts(page.text)) & set(_parts(english.text))
    found = []
    for text in sorted(same):
        words = WORD.findall(text)
        # codes and abbreviations (AND, ARE, MRZ, API) are not English text
        known = [w for w in words if w.lower() in vocabulary and not w.isupper()]
        if known and len(known) * 2 >= len(words):
            found.append(text)
    return found


@dataclass(frozen=True)
class Role:
    name: str
    username: str | None  # None: anonymous
    home: str  # where signing in lands (az address)


ROLES = [
    Role("anonymous", None, "/"),
    Role("host", "harry", "/host/"),
    Role("regional_officer", "alice", "/office/"),
    Role("head_officer", "hannah", "/office/"),
    Role("analyst", "ana", "/office/"),
    Role("administrator", "root", "/office/"),
]


def make_crawl_world(world: World, client: Client) -> Scene:
    """The test world with one of everything a list shows: a stay registration, an issued
    e-visa, a watchlist entry and its hit, a possible duplicate and a merge (the scene of
    the access tests), an e-visa application referred to an officer and an overstay
    finding of the Baku office."""
    scene = make_scene(world, client)
    # a second e-visa application, with a passport on the lost-documents list: referred to
    # an officer
    watchlist_entry(category="stolen", document_number="C01X00T55", issuing_state="DE")
    response = client.post(
        "/api/v1/evisa/applications",
        data=json.dumps(
            application(
                traveller(
                    given_names="Paul",
                    sex="M",
                    birth_date="1978-02-02",
                    document_number="C01X00T55",
                )
            )
        ),
        content_type="application/json",
        HTTP_X_API_KEY=scene.agency_key,
    )
    assert response.status_code == 201, response.content
    referred = VisaApplication.objects.exclude(pk=scene.visa.pk).select_related("payment_order")
    pay_callback(client, referred.get().payment_order)
    outbox_drain()
    assert referred.get().case.state == "referred"
    today = clock.today()
    send(
        client,
        border_key(),
        [event(document_number="OVER1", timestamp=at_day(today - dt.timedelta(days=94)))],
    )
    overstays_detect(on=today)
    return scene
