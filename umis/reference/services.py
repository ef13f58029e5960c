"""Loading the reference data a new installation starts from (idempotent)."""

from __future__ import annotations

import datetime as dt
import gettext

import pycountry
from django.db import models, transaction

from umis.reference.models import (
    Country,
    LegalGround,
    Office,
    Region,
    RegistrationRule,
    VisaFreeRegime,
)

# ICAO Doc 9303 Part 3 codes that differ from ISO 3166-1 alpha-3.
ICAO_EXCEPTIONS = {"DEU": "D"}

OFFICES = [
    # code, kind, az, en, ru
    (
        "head",
        Office.Kind.HEAD,
        "Dövlət Miqrasiya Xidməti — baş idarə",
        "State Migration Service — head office",
        "Государственная миграционная служба — центральный аппарат",
    ),
    (
        "baku",
        Office.Kind.REGIONAL,
        "Bakı regional miqrasiya idarəsi",
        "Baku regional migration department",
        "Бакинское региональное миграционное управление",
    ),
    (
        "khachmaz",
        Office.Kind.REGIONAL,
        "Xaçmaz regional miqrasiya idarəsi",
        "Khachmaz regional migration department",
        "Хачмазское региональное миграционное управление",
    ),
    (
        "yevlakh",
        Office.Kind.REGIONAL,
        "Yevlax regional miqrasiya idarəsi",
        "Yevlakh regional migration department",
        "Евлахское региональное миграционное управление",
    ),
    (
        "shirvan",
        Office.Kind.REGIONAL,
        "Şirvan regional miqrasiya idarəsi",
        "Shirvan regional migration department",
        "Ширванское региональное миграционное управление",
    ),
    (
        "shaki",
        Office.Kind.REGIONAL,
        "Şəki regional miqrasiya idarəsi",
        "Shaki regional migration department",
        "Шекинское региональное миграционное управление",
    ),
    (
        "ganja",
        Office.Kind.REGIONAL,
        "Gəncə regional miqrasiya idarəsi",
        "Ganja regional migration department",
        "Гянджинское региональное миграционное управление",
    ),
    (
        "lankaran",
        Office.Kind.REGIONAL,
        "Lənkəran regional miqrasiya idarəsi",
        "Lankaran regional migration department",
        "Ленкоранское региональное миграционное управление",
    ),
    (
        "sumgait",
        Office.Kind.REGIONAL,
        "Sumqayıt regional miqrasiya idarəsi",
        "Sumgait regional migration department",
        "Сумгаитское региональное миграционное управление",
    ),
    (
        "detention-baku",
        Office.Kind.DETENTION,
        "Qanunsuz miqrantların saxlanılması mərkəzi (Bakı)",
        "Detention centre for illegal migrants (Baku)",
        "Центр содержания незаконных мигрантов (Баку)",
    ),
    (
        "detention-yevlakh",
        Office.Kind.DETENTION,
        "Qanunsuz miqrantların saxlanılması mərkəzi (Yevlax)",
        "Detention centre for illegal migrants (Yevlakh)",
        "Центр содержания незаконных мигрантов (Евлах)",
    ),
]

REGIONS = [
    # code, office, az, en, ru
    ("baku", "baku", "Bakı şəhəri", "Baku city", "город Баку"),
    ("absheron", "baku", "Abşeron rayonu", "Absheron district", "Апшеронский район"),
    ("sumgait", "sumgait", "Sumqayıt şəhəri", "Sumgait city", "город Сумгаит"),
    ("khachmaz", "khachmaz", "Xaçmaz rayonu", "Khachmaz district", "Хачмазский район"),
    ("guba", "khachmaz", "Quba rayonu", "Guba district", "Губинский район"),
    ("gusar", "khachmaz", "Qusar rayonu", "Gusar district", "Гусарский район"),
    ("yevlakh", "yevlakh", "Yevlax şəhəri", "Yevlakh city", "город Евлах"),
    ("barda", "yevlakh", "Bərdə rayonu", "Barda district", "Бардинский район"),
    ("shirvan", "shirvan", "Şirvan şəhəri", "Shirvan city", "город Ширван"),
    ("shamakhi", "shirvan", "Şamaxı rayonu", "Shamakhi district", "Шемахинский район"),
    ("shaki", "shaki", "Şəki şəhəri", "Shaki city", "город Шеки"),
    ("gabala", "shaki", "Qəbələ rayonu", "Gabala district", "Габалинский район"),
    ("ganja", "ganja", "Gəncə şəhəri", "Ganja city", "город Гянджа"),
    ("naftalan", "ganja", "Naftalan şəhəri", "Naftalan city", "город Нафталан"),
    ("lankaran", "lankaran", "Lənkəran şəhəri", "Lankaran city", "город Ленкорань"),
    ("astara", "lankaran", "Astara rayonu", "Astara district", "Астаринский район"),
]

LEGAL_GROUNDS = [
    (
        "mc-visa-entry-ban",
        "visa_refusal",
        "Miqrasiya Məcəlləsi, m. 16",
        "Migration Code, art. 16",
        "Миграционный кодекс, ст. 16",
        "Ölkəyə girişi qadağan edilmiş şəxs",
        "The person is banned from entering the country",
        "Лицу запрещён въезд в страну",
    ),
    (
        "mc-visa-false-information",
        "visa_refusal",
        "Miqrasiya Məcəlləsi, m. 16",
        "Migration Code, art. 16",
        "Миграционный кодекс, ст. 16",
        "Müraciətdə yalan məlumat verilib",
        "False information was given in the application",
        "В заявлении указаны ложные сведения",
    ),
    (
        "mc-visa-invalid-document",
        "visa_refusal",
        "Miqrasiya Məcəlləsi, m. 16",
        "Migration Code, art. 16",
        "Миграционный кодекс, ст. 16",
        "Pasport etibarsızdır (itirilmiş, oğurlanmış və ya müddəti bitmiş)",
        "The passport is not valid (lost, stolen or expiring)",
        "Паспорт недействителен (утерян, похищен или истекает)",
    ),
    # The annulment of an issued visa: a ground of art. 16 (entry prohibited) found after
    # the visa was issued, or a passport the visa is in no longer valid (?: the article an
    # annulment cites is to be confirmed; administrators edit it with a validity date).
    (
        "mc-visa-annul-entry-ban",
        "visa_annulment",
        "Miqrasiya Məcəlləsi, m. 16.1",
        "Migration Code, art. 16.1",
        "Миграционный кодекс, ст. 16.1",
        "Viza verildikdən sonra şəxsin ölkəyə girişinin qadağan olunduğu müəyyən edilib",
        "After the visa was issued, the person was found to be banned from entering the country",
        "После выдачи визы установлено, что лицу запрещён въезд в страну",
    ),
    (
        "mc-visa-annul-false-information",
        "visa_annulment",
        "Miqrasiya Məcəlləsi, m. 16.1.7",
        "Migration Code, art. 16.1.7",
        "Миграционный кодекс, ст. 16.1.7",
        "Viza yalan məlumat əsasında verilib",
        "The visa was issued on false information",
        "Виза выдана на основании ложных сведений",
    ),
    (
        "mc-visa-annul-invalid-document",
        "visa_annulment",
        "Miqrasiya Məcəlləsi, m. 15.1",
        "Migration Code, art. 15.1",
        "Миграционный кодекс, ст. 15.1",
        "Vizanın verildiyi pasport etibarsızdır (itirilmiş, oğurlanmış və ya etibarsız sayılmış)",
        "The passport the visa was issued for is not valid (lost, stolen or cancelled)",
        "Паспорт, на который выдана виза, недействителен (утерян, похищен или аннулирован)",
    ),
    (
        "mc-21-false-information",
        "annulment",
        "Miqrasiya Məcəlləsi, m. 21",
        "Migration Code, art. 21",
        "Миграционный кодекс, ст. 21",
        "Qeydiyyat yalan məlumat əsasında aparılıb",
        "Registration made on false information",
        "Регистрация произведена на основании ложных сведений",
    ),
    (
        "mc-21-not-residing",
        "annulment",
        "Miqrasiya Məcəlləsi, m. 21",
        "Migration Code, art. 21",
        "Миграционный кодекс, ст. 21",
        "Əcnəbi göstərilən ünvanda yaşamır",
        "The foreigner does not live at the address",
        "Иностранец не проживает по указанному адресу",
    ),
    (
        "mc-21-invalid-document",
        "annulment",
        "Miqrasiya Məcəlləsi, m. 21",
        "Migration Code, art. 21",
        "Миграционный кодекс, ст. 21",
        "Səyahət sənədi etibarsızdır",
        "The travel document is not valid",
        "Проездной документ недействителен",
    ),
    (
        "mc-79-expulsion",
        "annulment,refusal",
        "Miqrasiya Məcəlləsi, m. 79",
        "Migration Code, art. 79",
        "Миграционный кодекс, ст. 79",
        "İnzibati qaydada ölkədən çıxarılma",
        "Administrative expulsion",
        "Административное выдворение",
    ),
    (
        "host-error",
        "annulment",
        "Miqrasiya Məcəlləsi, m. 21",
        "Migration Code, art. 21",
        "Миграционный кодекс, ст. 21",
        "Qəbul edən tərəfin səhvi",
        "Error of the receiving party",
        "Ошибка принимающей стороны",
    ),
]


# Visa-free stays by nationality (?): defaults to check against the current agreements.
VISA_FREE = [
    # nationalities, days, window (None: per stay), valid from, source
    (
        ("BY", "GE", "KG", "KZ", "MD", "RU", "TJ", "UA", "UZ", "TR"),
        90,
        180,
        dt.date(2013, 8, 1),
        "bilateral agreements (?)",
    ),
    (("AE", "BH", "KW", "OM", "QA"), 30, None, dt.date(2016, 1, 1), "visa-free stay (?)"),
]


# ICAO Doc 9303 Part 3 codes for the nationality of people without one, under ISO 3166
# user-assigned alpha-2 codes: (alpha-2, ICAO = alpha-3, az, en, ru).
WITHOUT_A_STATE = [
    ("XA", "XXA", "Vətəndaşlığı olmayan şəxs", "Stateless person", "Лицо без гражданства"),
    (
        "XB",
        "XXB",
        "Qaçqın (1951-ci il Konvensiyası)",
        "Refugee (1951 Convention)",
        "Беженец (Конвенция 1951 года)",
    ),
    ("XC", "XXC", "Qaçqın (digər)", "Refugee (other)", "Беженец (иной)"),
    (
        "XX",
        "XXX",
        "Vətəndaşlığı müəyyən edilməmiş şəxs",
        "Person of unspecified nationality",
        "Лицо с неустановленным гражданством",
    ),
]


def countries_without_a_state_add() -> None:
    """Add the statuses not yet stored (idempotent)."""
    codes = [code for code, *_rest in WITHOUT_A_STATE]
    icao = [icao for _code, icao, *_names in WITHOUT_A_STATE]
    stored = Country.objects.filter(
        models.Q(code__in=codes) | models.Q(icao_code__in=icao) | models.Q(alpha3__in=icao)
    ).values_list("code", "icao_code", "alpha3")
    taken = {value for row in stored for value in row}
    Country.objects.bulk_create(
        [
            Country(
                code=code,
                alpha3=icao,
                icao_code=icao,
                kind=Country.Kind.STATUS,
                name_az=n_az,
                name_en=n_en,
                name_ru=n_ru,
            )
            for code, icao, n_az, n_en, n_ru in WITHOUT_A_STATE
            if not {code, icao} & taken
        ]
    )


# Azerbaijani names that pycountry's catalogue lacks (it leaves them in English).
AZ_COUNTRY_NAMES = {
    "AX": "Aland adaları",
    "TF": "Fransanın Cənub əraziləri",
    "BQ": "Bonayre, Sint-Estatius və Saba",
    "BL": "Sen-Bartelemi",
    "BM": "Bermud adaları",
    "CD": "Konqo Demokratik Respublikası",
    "CV": "Kabo-Verde",
    "CW": "Kürasao",
    "CZ": "Çexiya",
    "FM": "Mikroneziya",
    "GB": "Birləşmiş Krallıq",
    "GG": "Gernsi",
    "GI": "Cəbəllütariq",
    "HM": "Herd və Makdonald adaları",
    "IM": "Men adası",
    "IR": "İran",
    "JE": "Cersi",
    "KE": "Keniya",
    "KN": "Sent-Kits və Nevis",
    "LA": "Laos",
    "LY": "Liviya",
    "LC": "Sent-Lusiya",
    "MF": "Sen-Marten",
    "MV": "Maldiv adaları",
    "MK": "Şimali Makedoniya",
    "MM": "Myanma",
    "ME": "Monteneqro",
    "MS": "Monserrat",
    "MU": "Mavriki",
    "PS": "Fələstin",
    "SH": "Müqəddəs Yelena, Askenson və Tristan-da-Kunya",
    "SM": "San-Marino",
    "PM": "Sen-Pyer və Mikelon",
    "RS": "Serbiya",
    "SS": "Cənubi Sudan",
    "SZ": "Esvatini",
    "SX": "Sint-Marten",
    "SY": "Suriya",
    "TC": "Terks və Kaykos adaları",
    "TL": "Şərqi Timor",
    "TW": "Tayvan",
    "TZ": "Tanzaniya",
    "VC": "Sent-Vinsent və Qrenadinlər",
    "VE": "Venesuela",
    "VN": "Vyetnam",
    "MD": "Moldova",
    "VA": "Vatikan",  # the catalogue's is half English: "Holy See (Vatikan Şəhər Dövləti)"
    # the catalogue's spelling is not the Azerbaijani one
    "KZ": "Qazaxıstan",
    "RO": "Rumıniya",
    "SA": "Səudiyyə Ərəbistanı",
    "QA": "Qətər",
    "US": "Amerika Birləşmiş Ştatları",
    "NL": "Niderland",
    "KR": "Koreya Respublikası",
    "KP": "Koreya Xalq Demokratik Respublikası",
}


# Russian names where pycountry's catalogue is wrong: capitals a name's words take in Russian
# («Соединённые Штаты», «Доминиканская Республика»), and the spelling of the Russian
# classification of countries (ОКСМ) where the catalogue's differs.
RU_COUNTRY_NAMES = {
    "US": "Соединённые Штаты",
    "UM": "Малые Тихоокеанские отдалённые острова Соединённых Штатов",
    "CF": "Центральноафриканская Республика",
    "DO": "Доминиканская Республика",
    "MH": "Маршалловы Острова",
    "MP": "Северные Марианские острова",
    "TF": "Французские Южные территории",
    "HM": "Остров Херд и острова Макдональд",
    "AS": "Американское Самоа",
    "AI": "Ангилья",
    "AQ": "Антарктида",
    "BL": "Сен-Бартелеми",
    "BN": "Бруней-Даруссалам",
    "IO": "Британская территория в Индийском океане",
    "MF": "Сен-Мартен (французская часть)",
    "SX": "Синт-Мартен (нидерландская часть)",
    "VG": "Виргинские острова (Британские)",
    "WF": "Уоллис и Футуна",
}


def _country_names(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


@transaction.atomic
def reference_load_defaults() -> None:
    az, ru = _country_names("az"), _country_names("ru")
    existing = set(Country.objects.values_list("code", flat=True))
    Country.objects.bulk_create(
        [
            Country(
                code=c.alpha_2,
                alpha3=c.alpha_3,
                icao_code=ICAO_EXCEPTIONS.get(c.alpha_3, c.alpha_3),
                name_en=c.name,
                name_az=AZ_COUNTRY_NAMES.get(c.alpha_2) or az.gettext(c.name),
                name_ru=RU_COUNTRY_NAMES.get(c.alpha_2) or ru.gettext(c.name),
            )
            for c in pycountry.countries
            if c.alpha_2 not in existing
        ]
    )
    # countries stored before their Azerbaijani name was known here (still the catalogue's
    # name, English or half English; a name an administrator has changed stays)
    untranslated = [
        country
        for country in Country.objects.filter(code__in=AZ_COUNTRY_NAMES)
        if country.name_az in (country.name_en, az.gettext(country.name_en))
        and country.name_az != AZ_COUNTRY_NAMES[country.code]
    ]
    for country in untranslated:
        country.name_az = AZ_COUNTRY_NAMES[country.code]
    Country.objects.bulk_update(untranslated, ["name_az"])
    # and the Russian names stored as the catalogue gave them
    miswritten = [
        country
        for country in Country.objects.filter(code__in=RU_COUNTRY_NAMES)
        if country.name_ru == ru.gettext(country.name_en)
        and country.name_ru != RU_COUNTRY_NAMES[country.code]
    ]
    for country in miswritten:
        country.name_ru = RU_COUNTRY_NAMES[country.code]
    Country.objects.bulk_update(miswritten, ["name_ru"])
    if not Country.objects.filter(code="XK").exists():
        Country.objects.create(
            code="XK",
            alpha3="XKX",
            icao_code="RKS",
            name_en="Kosovo",
            name_az="Kosovo",
            name_ru="Косово",
        )
    countries_without_a_state_add()
    for code, kind, n_az, n_en, n_ru in OFFICES:
        Office.objects.update_or_create(
            code=code, defaults={"kind": kind, "name_az": n_az, "name_en": n_en, "name_ru": n_ru}
        )
    offices = {o.code: o for o in Office.objects.all()}
    for code, office, n_az, n_en, n_ru in REGIONS:
        Region.objects.update_or_create(
            code=code,
            defaults={"office": offices[office], "name_az": n_az, "name_en": n_en, "name_ru": n_ru},
        )
    for code, applies, c_az, c_en, c_ru, n_az, n_en, n_ru in LEGAL_GROUNDS:
        LegalGround.objects.update_or_create(
            code=code,
            defaults={
                "applies_to": applies,
                "citation": c_en,
                "citation_az": c_az,
                "citation_ru": c_ru,
                "name_az": n_az,
                "name_en": n_en,
                "name_ru": n_ru,
            },
        )
    if not RegistrationRule.objects.exists():
        source = "Migration Code of the Republic of Azerbaijan, art. 21"
        RegistrationRule.objects.bulk_create(
            [
                RegistrationRule(
                    threshold_days=10,
                    deadline_days=10,
                    valid_from=dt.date(2013, 8, 1),
                    valid_to=dt.date(2019, 7, 23),
                    source=f"{source} (before the amendment of 24 July 2019; deadline (?))",
                ),
                RegistrationRule(
                    threshold_days=15,
                    deadline_days=15,
                    valid_from=dt.date(2019, 7, 24),
                    source=source,
                ),
                RegistrationRule(
                    nationality_id="KZ",
                    threshold_days=30,
                    deadline_days=30,
                    valid_from=dt.date(2019, 7, 24),
                    source=f"{source}; agreement with Kazakhstan",
                ),
            ]
        )
    if not VisaFreeRegime.objects.exists():
        VisaFreeRegime.objects.bulk_create(
            [
                VisaFreeRegime(
                    nationality_id=code,
                    days=days,
                    window_days=window,
                    valid_from=valid_from,
                    source=source,
                )
                for codes, days, window, valid_from, source in VISA_FREE
                for code in codes
            ]
        )
