from __future__ import annotations

from umis.core.text import collation_key


def test_azerbaijani_names_sort_in_the_azerbaijani_alphabet() -> None:
    names = ["Zambiya", "İran", "Çin", "Əfqanıstan", "Belçika", "Beliz", "Xorvatiya", "Honq Konq",
             "Qazaxıstan", "Kanada", "Özbəkistan", "Oman", "Şri-Lanka", "Sudan", "Ukrayna", "Ümman",
             "Irak", "Almaniya"]  # fmt: skip
    assert sorted(names, key=lambda n: collation_key(n, "az")) == [
        "Almaniya", "Belçika", "Beliz", "Çin", "Əfqanıstan", "Honq Konq", "Xorvatiya", "Irak",
        "İran", "Kanada", "Qazaxıstan", "Oman", "Özbəkistan", "Sudan", "Şri-Lanka", "Ukrayna",
        "Ümman", "Zambiya",
    ]  # fmt: skip


def test_russian_names_put_yo_after_ye() -> None:
    names = ["Япония", "Ёлкино", "Египет", "Жуковка", "Австрия"]
    assert sorted(names, key=lambda n: collation_key(n, "ru")) == [
        "Австрия", "Египет", "Ёлкино", "Жуковка", "Япония",
    ]  # fmt: skip


def test_english_names_ignore_accents() -> None:
    names = ["Réunion", "Russia", "Rwanda", "Åland Islands", "Albania"]
    assert sorted(names, key=lambda n: collation_key(n, "en")) == [
        "Åland Islands", "Albania", "Réunion", "Russia", "Rwanda",
    ]  # fmt: skip
