"""Builds bench/data/name_pairs.csv, the labelled name-pair set (run once; the CSV is kept
in the repository so the figures can be reproduced and the set reviewed).

Sources, per row (column `source`):
- `faker:<locale>`: the names themselves come from Faker's locale data (az_AZ, ru_RU,
  tr_TR, fa_IR, ar_AA), i.e. real given names and surnames of each country.
- `rule:az-ru`: Azerbaijani Latin → Russian Cyrillic as Soviet and Russian documents
  wrote Azerbaijani names (ə→а/е, h→г, q→г, c→дж, ç→ч, ş→ш, x→х, ı→ы, ü→ю, ö→ё, y→й);
  the table is in bench/namegen.py (AZ_TO_RU).
- `rule:az-ru-q-k`: the same with Q written К, as many Soviet and Russian documents
  wrote it (Кулиев for Quliyev, Курбанов for Qurbanov, Касимов/Касумов for Qasımov,
  Кафаров for Qafarov, Кулузаде for Quluzadə); `rule:soviet-english-q-k`: that Cyrillic
  through BGN/PCGN (Kuliyev, Kurbanov, Kafarov).
- `rule:icao9303`: ICAO Doc 9303 Part 3 (8th ed.), section 6 transliteration for the MRZ
  (Ə→A, Ü→UE or U, Ö→OE or O, Ş→S, Ç→C, Ğ→G, İ/I/ı→I).
- `rule:ru-latin:<scheme>`: Russian romanisations as published (ICAO Doc 9303, BGN/PCGN
  1947, Wikipedia, MVD 782), applied with the `iuliia` package's scheme tables.
- `rule:soviet-english`: Azerbaijani name through Russian Cyrillic, then BGN/PCGN (the
  Guseinov / Dzhafarov / Mamedov spellings of Soviet passports).
- `rule:arabic-latin`: Arabic/Persian script ↔ its letter-by-letter romanisation
  (`anyascii`), and the hand list ARABIC_PAIRS of common English spellings.
- `hand:q-as-k`: Q_PAIRS, the same names with Q written К or K by hand: the examples
  above, the Soviet-era and ICAO Latin of Г-spellings (Gasimov, Gurbanov), Turkish K
  for the same letter (Kasım, Kurban, Kadir), Arabic and Persian ق (قاسم, قربان, قلی).
- `unicode`: the same name with an invisible or look-alike trap (zero-width space or
  joiner, bidi control, Cyrillic homoglyph, full-width letters, decomposed diacritics).
- `order` / `patronymic`: given and family name swapped; with a patronymic added.
- `hand:negative`: HAND_NEGATIVES, similar but different names (the issue's examples and
  more); `mined:negative`: two different surnames of the same locale's list that are
  close in spelling (rapidfuzz ratio ≥ 75 after folding), with the same given name,
  each written in a different script or spelling; pairs that differ only in letters
  Azerbaijani spellings alternate (q/x/ğ/g/k, ı/i, ə/e, ü/u, ö/o) are left out, as those
  are often one name written two ways.
- `hand:negative-q-k`: Q_NEGATIVES, different names that reading Q as K brings close
  (Kərimov/Qəribov, Kazımov/Qasımov, Zakir/Zahir: K is not H); `mined:negative-q-k`: given
  names of the az_AZ lists, one with Q and one with K, close once the Q is read as K
  (rapidfuzz ratio ≥ 75) but different (Qasım/Kazım, Qabil/Kamil).

- `hand:persian-z` (2026-11-24): PERSIAN_Z_PAIRS, Persian names with ض, which Persian (and
  Azerbaijani) pronounce z where Arabic says d (Reza, Morteza, Ramazan, Fazil beside
  Ramadan), and Arabic-script letters that romanised one by one would run into a digraph
  (زهرا: Zahra, z then h, not zh), and Persian و read v (Mousavi, Javad, Vahid, Davood,
  Khosravi).
- `hand:german-ru` (2026-11-24): GERMAN_PAIRS, German names in Russian Cyrillic by the
  German-Russian practical transcription (W → В, J → Й, EU → ОЙ, S before a vowel → З,
  SCH → Ш, Z → Ц) against the German spelling and its MRZ (Ü → UE).
- `hand:compound` (2026-11-24): COMPOUND_PAIRS, compound given names written as one word
  and as two (Alireza / Ali Reza / Əli Rza, Mohammadreza, Abdullah / Abd Allah, Həsənəli /
  Hasan Ali, Amirhossein, Gholamreza, Aliakbar).
- `hand:negative-scripts` (2026-11-24): SCRIPT_NEGATIVES, the first part of a compound
  against the compound (Ali / Alireza, Mohammad / Mohammadreza), close surnames in
  Arabic script (رضایی / رحیمی), J before a (Jamal / Амал), German names one part or
  letter apart (Schwarz / Шварцман, Müller / Миллер, Jürgen / Юрий), Morteza /
  Mortazavi, Zahra / Zohreh.
- `hand:persian-ending` (evening of 2026-11-24): ENDING_PAIRS, Persian names ending in ه
  (Zohreh, Sareh) and in ا (Sara, Mina) with their Latin spellings.
- `hand:persian-waw` (evening of 2026-11-24): WAW_PAIRS, Persian و between consonants read
  v (Movahed, Tavakoli, Mahvash, Sarvar), and Mohsen and Mostafa, which have no و.
- `hand:german-ru-traditional` (evening of 2026-11-24): GERMAN_TRADITIONAL_PAIRS, German
  names as Russian traditionally writes them (H → Г, CH → Х, CHS → КС, IE → И, V before o →
  Ф, J → И, Heinrich → Генрих: Генрих Бах, Рихтер Дитер, Фукс Фолькер, Иоганн Гельмут).
- `hand:negative-readings` (evening of 2026-11-24): ENDING_NEGATIVES, WAW_NEGATIVES and
  GERMAN_TRADITIONAL_NEGATIVES: ا against e or eh (زهرا / Zohre, Зохре; سارا / Sareh), close
  Persian surnames (موحدی / Mahdavi, توکلی / Tavallaei), Erich / Эрик, Фахид / Vahid,
  Эльхин / Elchin (the English ch), Richter / Richard.
- `hand:persian-waw-vowel` (2026-11-24, late): WAW_VOWEL_PAIRS and WAW_VOWEL_NEGATIVES, a
  Persian و between consonants is v or the vowel o or u and is written, so a name without
  it there is another one: مهسا Mahsa and مهوش Mahvash (both common Iranian given names,
  in Faker's fa_IR first names and the Iranian civil registry's yearly lists of popular
  names), گلنوش Golnoosh, یوسف Yousef, against مهوش / Mahsa, Махса.
- `hand:german-ru-j` (2026-11-24, late): GERMAN_J_PAIRS, German names beginning with J
  before o, whose CH Russian writes Х before a vowel too (Joachim → Иоахим in Russian
  reference works and the German-Russian practical transcription's Йоахим, Jochen →
  Йохен), and GERMAN_J_NEGATIVES (Иоахим / Jochen, Йохен / Joshua).
- `hand:joachim-variants` (2026-11-25): JOACHIM_PAIRS, Joakim, the Scandinavian spelling of
  Joachim (Swedish, Norwegian and Danish name lists and passports), against Иоахим and
  Йоахим, and Иоаким, the Russian Church spelling of the same name (Russian Orthodox
  calendar, St Joachim the father of Mary), against Joachim; JOACHIM_NEGATIVES: Joakim /
  Jochen, Joakim / Аким (Akim, a name of its own in Russian usage).
- `hand:persian-final-ya` (2026-11-25): FINAL_YA_PAIRS, Arabic names of the passive
  participle of form VIII (م, a letter, ت or ط, a letter, final ی), whose final ی Persian
  writes for the Arabic alef maqsura ى and reads ā: مرتضی as ALA-LC romanises Persian
  (Murtaz̤á: Murtaza) and Arabic (Muṣṭafá: Mustafa), as Iranian passports write them
  (Morteza's pairs above; Mostafa, Mojtaba), and as Azerbaijani (Murtuza, Mustafa) and
  through it Russian (Муртуза, Мустафа) write them; FINAL_YA_NEGATIVES: مرتضی and its
  Arabic spelling مرتضى against Mirza (میرزا, no ت), مصطفی against Mostafavi (the surname
  made from it, مصطفوی).
- `hand:persian-final-ya-names` (2026-11-25, afternoon): LONG_A_PAIRS, common names whose
  final ی stands for the alef maqsura ى and reads ā whatever their shape, as the ALA-LC
  romanization tables for Persian and Arabic give them (Mūsá, ʻĪsá, Yaḥyá, Kubrá, Ṣughrá,
  Laylá), as Iranian passports write them (Mousa, Kobra, Soghra, Leyli), as Azerbaijani
  writes them (Musa, İsa, Yəhya, Kübra, Leyla) and through it Russian (Муса, Иса, Яхья,
  Кубра, Сугра, Лейла), and Issa, the common romanisation of عیسی in Arab passports;
  LONG_A_NEGATIVES: the surnames made from them (موسی / Musavi, موسوی; موسی / Мусави;
  یحیی / Yahyayev; عیسی / Isayev) and two names of other letters with the same consonants
  (لیلی / Lale, لاله; کبری / Akbar, اکبر).

The Q rows come after all the others, from their own random generator, so the rows
before them are the same as before they were added; the rows of 2026-11-24 (hand lists,
no randomness) come after the Q rows.
"""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from pathlib import Path

import iuliia
from anyascii import anyascii
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent))
from namegen import MRZ, MRZ_PLAIN, Generator  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "name_pairs.csv"
RU_SCHEMES = {
    "icao": iuliia.ICAO_DOC_9303,
    "bgn_pcgn": iuliia.BGN_PCGN,
    "wikipedia": iuliia.WIKIPEDIA,
    "mvd_782": iuliia.MVD_782,
}

ARABIC_PAIRS = [
    ("محمد", "Muhammad"), ("محمد", "Mohammed"), ("محمد", "Mohamed"), ("أحمد", "Ahmad"),
    ("أحمد", "Ahmed"), ("حسين", "Hussein"), ("حسین", "Hossein"), ("حسن", "Hassan"),
    ("علي", "Ali"), ("علی", "Ali"), ("عمر", "Omar"), ("يوسف", "Yusuf"), ("یوسف", "Yousef"),
    ("إبراهيم", "Ibrahim"), ("ابراهیم", "Ebrahim"), ("خالد", "Khaled"), ("محمود", "Mahmoud"),
    ("مصطفى", "Mustafa"), ("عبدالله", "Abdullah"), ("فاطمة", "Fatima"), ("زينب", "Zeynab"),
    ("رضا", "Reza"), ("مهدی", "Mahdi"), ("جعفر", "Jafar"), ("کریمی", "Karimi"),
    ("رحیمی", "Rahimi"), ("نوری", "Nouri"), ("حیدری", "Heydari"), ("سلیمانی", "Soleimani"),
    ("قاسمی", "Ghasemi"), ("جمال", "Jamal"), ("سعید", "Saeed"), ("ناصر", "Nasser"),
    ("کاظم", "Kazem"), ("طارق", "Tariq"), ("بلال", "Bilal"), ("سمیرا", "Samira"),
    ("لیلا", "Leila"), ("مریم", "Maryam"), ("امیر", "Amir"),
]  # fmt: skip

HAND_NEGATIVES = [
    ("Aliyev", "Alizade"), ("Huseynov", "Hasanov"), ("Mammadov", "Mammadli"),
    ("Əliyev Rəşad", "Əlizadə Rəşad"), ("Hüseynov Elvin", "Həsənov Elvin"),
    ("Məmmədov Tural", "Məmmədli Tural"), ("Rəşad Quliyev", "Rəşid Quliyev"),
    ("Ilham Aliyev", "Ilkin Aliyev"), ("Huseyn Ibrahimov", "Hasan Ibrahimov"),
    ("Orxan Nəsirov", "Orxan Nəbiyev"), ("Səbinə Kərimova", "Səbinə Rəhimova"),
    ("Kamran Əhmədov", "Kamal Əhmədov"), ("Vüsal Abbasov", "Vüqar Abbasov"),
    ("Elnur Həsənli", "Elnur Hüseynli"), ("Anar Babayev", "Anar Bağırov"),
    ("Ramil Səfərov", "Ramil Cəfərov"), ("Nigar Qasımova", "Nigar Kazımova"),
    ("Tural Zeynalov", "Tural Zeynallı"), ("Ayaz Mustafayev", "Ayaz Muradov"),
    ("Ivanov Petr", "Ivanova Petra"), ("Petrov Sergei", "Petrenko Sergei"),
    ("Smirnov Oleg", "Smirnitsky Oleg"), ("Kuznetsov Ivan", "Kuzmin Ivan"),
    ("Popov Dmitry", "Popovich Dmitry"), ("Sokolov Andrei", "Sokolovsky Andrei"),
    ("Mohammed Ali", "Mahmoud Ali"), ("Hassan Karimi", "Hossein Karimi"),
    ("Ahmad Rahimi", "Hamid Rahimi"), ("Omar Khaled", "Amer Khaled"),
    ("Yılmaz Mehmet", "Yıldız Mehmet"), ("Kaya Ayşe", "Kara Ayşe"),
    ("Demir Ali", "Demirel Ali"), ("Çelik Emre", "Çelikel Emre"),
    ("Şahin Burak", "Şener Burak"), ("Aydın Elif", "Aydoğan Elif"),
    ("Rəsulov Samir", "Rüstəmov Samir"), ("Nəsibov Emin", "Nəbiyev Emin"),
    ("Qurbanov Fuad", "Qafarov Fuad"), ("Süleymanov Ruslan", "Salmanov Ruslan"),
    ("Ismayilov Zaur", "Ismayilzade Zaur"), ("Musayev Elşən", "Musazadə Elşən"),
    ("Guliyev Vugar", "Guluzade Vugar"), ("Hajiyev Rauf", "Hajizade Rauf"),
    ("Rzayev Elchin", "Rzazade Elchin"), ("Bayramov Araz", "Bayramlı Araz"),
    ("Novruzov Eldar", "Novruzlu Eldar"), ("Allahverdiyev Kamal", "Allahyarov Kamal"),
    ("Əhmədov Rəşad", "Mehdiyev Rəşad"), ("Gasanov Ali", "Gusanov Ali"),
    ("Aliyeva Leyla", "Valiyeva Leyla"),
]  # fmt: skip

Q_PAIRS = [
    ("Quliyev", "Кулиев"), ("Qasımov", "Касимов"), ("Qasımov", "Касумов"),
    ("Qurbanov Yusif", "Курбанов Юсиф"), ("Qarabağlı", "Карабаглы"), ("Qafarov", "Кафаров"),
    ("Quluzadə", "Кулузаде"), ("Quliyev", "Kuliyev"), ("Qasımov", "Kasimov"),
    ("Qasımov", "Gasimov"), ("Qurbanov", "Gurbanov"), ("Qurbanov", "Kurbanov"),
    ("Qafarov", "Kafarov"), ("Sadıqov Tofiq", "Садыков Тофик"), ("Qasım", "Kasım"),
    ("Qurban", "Kurban"), ("Qədir", "Kadir"), ("Coşqun", "Coşkun"), ("قاسم", "Kasim"),
    ("قربان", "Kurban"), ("قلی", "Qoli"), ("قلی", "Кули"),
]  # fmt: skip

Q_NEGATIVES = [
    ("Kərimov Elvin", "Qəribov Elvin"), ("Kazımov Elvin", "Qasımov Elvin"),
    ("Kərimov Elvin", "Курбанов Эльвин"), ("Zakir Məmmədov", "Zahir Məmmədov"),
    ("Şakir Əliyev", "Şahin Əliyev"), ("Qurbanlı Elvin", "Курбанов Эльвин"),
    ("Quliyev Rəşad", "Кулизаде Рашад"), ("Qasımlı Anar", "Касимов Анар"),
    ("قاسم", "كاظم"), ("صقر", "شاكر"),
]  # fmt: skip

# Added 2026-11-24, after every other row.
# Persian ض read z (Persian pronounces ض, ظ, ذ as z; Iranian passports write Reza, Morteza,
# Ramazan, Fazel), Arabic-script letters that run into a Latin digraph (زهرا: z-h, not zh),
# Persian و read v (Mousavi, Javad, Vahid, Davood, Khosravi).
PERSIAN_Z_PAIRS = [
    ("رضا", "Reza"), ("رضا", "Rza"), ("رضایی", "Rezaei"), ("علی رضایی", "Ali Rezaei"),
    ("رضایی علی", "Резаи Али"), ("مرتضی", "Morteza"), ("مرتضی", "Murtuza"),
    ("رمضان", "Ramazan"), ("رمضان", "Ramadan"), ("فاضل", "Fazil"), ("فاضل", "Fazel"),
    ("زهرا", "Zahra"), ("زهرا رضایی", "Zahra Rezaei"), ("مرتضوی", "Mortazavi"),
    ("رضوان", "Rizvan"), ("قاضی", "Ghazi"), ("موسوی", "Mousavi"), ("جواد", "Javad"),
    ("وحید", "Vahid"), ("داوود", "Davood"), ("خسروی", "Khosravi"),
]  # fmt: skip
# German names through Russian Cyrillic by the German-Russian practical transcription
# (W → В, J → Й, EU → ОЙ, S before a vowel → З, SCH → Ш, Z → Ц, ß → СС).
GERMAN_PAIRS = [
    ("Петер Шварц", "Peter Schwarz"), ("Шмидт Йоханнес", "Schmidt Johannes"),
    ("Мюллер Ханс", "Müller Hans"), ("Мюллер Ханс", "MUELLER HANS"),
    ("Вагнер Юрген", "Wagner Jürgen"), ("Нойман Йозеф", "Neumann Josef"),
    ("Вебер Вольфганг", "Weber Wolfgang"), ("Шнайдер Клаус", "Schneider Klaus"),
    ("Циммерман Вернер", "Zimmermann Werner"), ("Вольф Штефан", "Wolf Stefan"),
    ("Кёниг Йорг", "König Jörg"), ("Хоффман Йенс", "Hoffmann Jens"),
    ("Браун Андреас", "Braun Andreas"), ("Фогель Вильгельм", "Vogel Wilhelm"),
    ("Кройцер Ульрих", "Kreuzer Ulrich"),
]  # fmt: skip
# Compound given names in one word and in two (Persian, Azerbaijani, Arabic usage).
COMPOUND_PAIRS = [
    ("علیرضا", "Ali Reza"), ("علیرضا", "Əli Rza"), ("Alireza Karimi", "Ali Reza Karimi"),
    ("علیرضا کریمی", "Ali Reza Karimi"), ("Mohammadreza Ahmadi", "Mohammad Reza Ahmadi"),
    ("محمدرضا", "Mohammad Reza"), ("Abdullah", "Abd Allah"), ("Abdulla Aliyev", "Abd Allah Aliyev"),
    ("Həsənəli Məmmədov", "Hasan Ali Mammadov"), ("Amirhossein Rahimi", "Amir Hossein Rahimi"),
    ("Gholamreza Soleimani", "Gholam Reza Soleimani"), ("Aliakbar Heydari", "Ali Akbar Heydari"),
]  # fmt: skip
SCRIPT_NEGATIVES = [
    ("علی", "علیرضا"), ("Ali", "Alireza"), ("Ali Karimi", "Alireza Karimi"),
    ("علی کریمی", "Alireza Karimi"), ("Mohammad Ahmadi", "Mohammadreza Ahmadi"),
    ("Amir Rahimi", "Amirhossein Rahimi"), ("رضایی علی", "رحیمی علی"),
    ("Rezaei Ali", "Rahimi Ali"), ("Jamal", "Амал"), ("Schwarz Peter", "Шварцман Петер"),
    ("Müller Hans", "Миллер Ханс"), ("Wagner Jürgen", "Вагнер Юрий"),
    ("Morteza", "Mortazavi"), ("زهرا", "Zohreh"),
]  # fmt: skip

# Added on the evening of 2026-11-24, after every other row.
# An Arabic-script name ending in ا ends in the long a (زهرا Zahra, سارا Sara, مینا Mina),
# one ending in ه in e or eh in Persian (زهره Zohreh, ساره Sareh) or a (فاطمه Fatima).
ENDING_PAIRS = [
    ("زهره", "Zohreh"), ("زهره", "Zohre"), ("ساره", "Sareh"), ("سارا", "Sara"), ("مینا", "Mina"),
]  # fmt: skip
ENDING_NEGATIVES = [("زهرا", "Zohre"), ("زهرا", "Зохре"), ("سارا", "Sareh")]
# Persian و between consonants is v with the short vowels around it unwritten (موحد
# Movahed, توکلی Tavakoli, مهوش Mahvash, سرور Sarvar); Mohsen and Mostafa have no و.
WAW_PAIRS = [
    ("موحد", "Movahed"), ("موحدی", "Movahedi"), ("توکلی", "Tavakoli"), ("مهوش", "Mahvash"),
    ("سرور", "Sarvar"), ("محسن", "Mohsen"), ("مصطفی", "Mostafa"), ("علی موحد", "Ali Movahed"),
]  # fmt: skip
WAW_NEGATIVES = [("موحدی", "Mahdavi"), ("توکلی", "Tavallaei")]
# German names as Russian traditionally writes them (Ermolovich, the German-Russian
# practical transcription, and the forms of Russian reference works): H as Г (Гельмут,
# Гуго), CH as Х (Ульрих, Рихтер, Кох, CHS as КС: Фукс), IE as И (Дитер, Фридрих), V before
# o as Ф (Фогель, Фолькер), J as И (Иоганн), Heinrich as Генрих.
GERMAN_TRADITIONAL_PAIRS = [
    ("Генрих", "Heinrich"), ("Бах Генрих", "Bach Heinrich"), ("Рихтер Дитер", "Richter Dieter"),
    ("Кох Эрих", "Koch Erich"), ("Фукс Фолькер", "Fuchs Volker"),
    ("Фридрих Альбрехт", "Friedrich Albrecht"), ("Дитрих Зигфрид", "Dietrich Siegfried"),
    ("Гуго Вильгельм", "Hugo Wilhelm"), ("Иоганн Гельмут", "Johann Helmut"),
    ("Фогель Ульрих", "VOGEL ULRICH"),
]  # fmt: skip
GERMAN_TRADITIONAL_NEGATIVES = [
    ("Эрик Кох", "Erich Koch"), ("Фахид", "Vahid"), ("Эльхин", "Elchin"),
    ("Рихтер Дитер", "Richard Dieter"),
]  # fmt: skip

# Added late on 2026-11-24, after every other row: a و between consonants is a letter
# (v, or the vowel o or u), and a name without it there is another name.
WAW_VOWEL_PAIRS = [
    ("مهسا", "Mahsa"), ("مهوش", "Махваш"), ("گلنوش", "Golnoosh"), ("یوسف", "Yousef"),
    ("مهسا رضایی", "Mahsa Rezaei"),
]  # fmt: skip
WAW_VOWEL_NEGATIVES = [
    ("مهوش", "Mahsa"), ("مهوش", "Махса"), ("مهوش رضایی", "Mahsa Rezaei"), ("مهسا", "Mahvash"),
]  # fmt: skip
# Added late on 2026-11-24, after the و rows: German J names whose CH is Х before a vowel.
GERMAN_J_PAIRS = [
    ("Иоахим", "Joachim"), ("Шмидт Иоахим", "SCHMIDT JOACHIM"), ("Йоахим Вагнер", "Joachim Wagner"),
    ("Йохен", "Jochen"),
]  # fmt: skip
GERMAN_J_NEGATIVES = [("Иоахим", "Jochen"), ("Йохен", "Joshua")]
JOACHIM_PAIRS = [
    ("Joakim", "Иоахим"), ("BERG JOAKIM", "Берг Иоахим"), ("Йоахим Линд", "Joakim Lind"),
    ("Joakim", "Joachim"), ("Иоаким", "Joachim"),
]  # fmt: skip
JOACHIM_NEGATIVES = [("Joakim", "Jochen"), ("Joakim", "Аким")]
# Added on 2026-11-25, after the Joachim rows: a final ی read ā (alef maqsura).
FINAL_YA_PAIRS = [
    ("مرتضی", "Муртуза"), ("مرتضی", "Murtaza"), ("مرتضی حسینی", "Murtuza Huseyni"),
    ("مصطفی", "Mustafa"), ("مصطفی", "Мустафа"), ("مجتبی", "Mojtaba"),
]  # fmt: skip
FINAL_YA_NEGATIVES = [("مرتضی", "Mirza"), ("مرتضى", "Mirza"), ("مصطفی", "Mostafavi")]
# Added on the afternoon of 2026-11-25, after them: names whose final ی is ā by their list.
LONG_A_PAIRS = [
    ("موسی", "Musa"), ("موسی", "Муса"), ("موسی کاظمی", "Mousa Kazemi"),
    ("عیسی", "Isa"), ("عیسی", "İsa"), ("عیسی", "Иса"), ("عیسی", "Issa"),
    ("یحیی", "Yahya"), ("یحیی", "Yəhya"), ("یحیی", "Яхья"),
    ("کبری", "Kobra"), ("کبری", "Kübra"), ("کبری", "Кубра"),
    ("صغری", "Soghra"), ("صغری", "Сугра"),
    ("لیلی", "Leyli"), ("لیلی", "Leyla"), ("لیلی", "Лейла"),
]  # fmt: skip
LONG_A_NEGATIVES = [
    ("موسی", "Musavi"), ("موسی", "Мусави"), ("یحیی", "Yahyayev"), ("عیسی", "Isayev"),
    ("لیلی", "Lale"), ("کبری", "Akbar"),
]  # fmt: skip

TRAPS = [
    ("zero_width_space", lambda s: s[:2] + "\u200b" + s[2:]),
    ("zero_width_joiner", lambda s: s[:3] + "\u200d" + s[3:]),
    ("bidi_control", lambda s: "\u202e" + s + "\u202c"),
    ("homoglyph", lambda s: s.replace("a", "\u0430", 1).replace("o", "\u043e", 1)),
    ("fullwidth", lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)),
    ("decomposed", lambda s: unicodedata.normalize("NFD", s)),
]


def az_to_ru(text: str, q: str = "г") -> str:
    gen = Generator.__new__(Generator)
    return Generator._az_to_cyr(gen, text, q)


def fold(s: str) -> str:
    return anyascii(s).lower()


def spelling_fold(s: str) -> str:
    """Letters Azerbaijani spellings alternate (Sadıqov/Sadıxov, Əli/Ali): two list
    entries differing only there are often one name, so they are not mined as negatives."""
    t = s.lower().replace("i̇", "i")
    for a, b in (
        ("ğ", "q"),
        ("x", "q"),
        ("g", "q"),
        ("k", "q"),
        ("ı", "i"),
        ("ə", "e"),
        ("ü", "u"),
        ("ö", "o"),
    ):
        t = t.replace(a, b)
    return t


def main() -> None:
    rng = random.Random(7)
    gen = Generator(seed=7)
    rows: list[tuple[str, str, int, str, str]] = []

    def pos(a: str, b: str, category: str, source: str) -> None:
        if a != b:
            rows.append((a, b, 1, category, source))

    az = gen.pools["az_AZ"]
    for i in range(60):
        sur = (
            az.male_last[i % len(az.male_last)]
            if i % 2
            else az.female_last[i % len(az.female_last)]
        )
        giv = az.male_first[i] if i % 2 else az.female_first[i]
        name = f"{sur} {giv}"
        pos(name, az_to_ru(name), "az_cyrillic", "faker:az_AZ+rule:az-ru")
        table = MRZ if i % 2 else MRZ_PLAIN
        mrz = "".join(table.get(c.lower(), c) for c in name).upper()
        pos(name, mrz, "mrz", "faker:az_AZ+rule:icao9303")
        pos(
            name,
            iuliia.BGN_PCGN.translate(az_to_ru(name)),
            "soviet_english",
            "faker:az_AZ+rule:soviet-english",
        )
    tr = gen.pools["tr_TR"]
    for i in range(30):
        name = f"{tr.male_last[i % len(tr.male_last)]} {tr.male_first[i * 7]}"
        pos(
            name,
            "".join(MRZ_PLAIN.get(c.lower(), c) for c in name).upper(),
            "mrz",
            "faker:tr_TR+rule:icao9303",
        )
        pos(name, az_to_ru(name), "tr_cyrillic", "faker:tr_TR+rule:az-ru")
    ru = gen.pools["ru_RU"]
    schemes = list(RU_SCHEMES.items())
    for i in range(60):
        name = f"{ru.male_last[i] if i % 2 else ru.female_last[i]} {ru.male_first[i] if i % 2 else ru.female_first[i]}"
        label, scheme = schemes[i % len(schemes)]
        pos(name, scheme.translate(name), "ru_latin", f"faker:ru_RU+rule:ru-latin:{label}")
    for loc in ("fa_IR", "ar_AA"):
        p = gen.pools[loc]
        for i in range(20):
            name = f"{p.male_last[i]} {p.male_first[i]}"
            pos(name, anyascii(name).title(), "arabic_latin", f"faker:{loc}+rule:arabic-latin")
    for a, b in ARABIC_PAIRS:
        pos(a, b, "arabic_latin", "hand:arabic-latin")
    # Unicode traps, order, patronymic: on a sample of the names above.
    base = [r[0] for r in rows if r[3] in {"az_cyrillic", "ru_latin"}]
    rng.shuffle(base)
    for i, name in enumerate(base[:60]):
        trap, fn = TRAPS[i % len(TRAPS)]
        pos(name, fn(name), f"unicode_{trap}", "unicode")
    for name in base[60:90]:
        parts = name.split(" ", 1)
        if len(parts) == 2:
            pos(name, f"{parts[1]} {parts[0]}", "order", "order")
    for i, name in enumerate(base[90:110]):
        parts = name.split(" ", 1)
        father = az.male_first[(i * 13) % len(az.male_first)]
        marker = "oğlu" if i % 2 else "qızı"
        pos(
            name,
            f"{parts[1]} {father} {marker} {parts[0]}" if len(parts) == 2 else name,
            "patronymic",
            "patronymic",
        )

    for a, b in HAND_NEGATIVES:
        rows.append((a, b, 0, "hand_negative", "hand:negative"))
    # Mined hard negatives: close but different surnames of one locale, same given name,
    # rendered in different scripts/spellings.
    for loc in ("az_AZ", "ru_RU", "tr_TR"):
        p = gen.pools[loc]
        surnames = sorted(set(p.male_last))
        close = [
            (a, b)
            for i, a in enumerate(surnames)
            for b in surnames[i + 1 :]
            if fuzz.ratio(fold(a), fold(b)) >= 75 and spelling_fold(a) != spelling_fold(b)
        ]
        rng.shuffle(close)
        for a, b in close[:70]:
            giv = rng.choice(p.male_first)
            left = f"{a} {giv}"
            right = f"{b} {giv}"
            if loc == "az_AZ" and rng.random() < 0.5:
                right = az_to_ru(right)
            elif loc == "ru_RU" and rng.random() < 0.5:
                right = iuliia.ICAO_DOC_9303.translate(right)
            rows.append((left, right, 0, "mined_negative", f"faker:{loc}+mined:negative"))
    # Q written К (after every other row, from its own generator: the rows above stay).
    qrng = random.Random(20261124)
    q_given = sorted({n.strip() for n in az.male_first + az.female_first if "q" in n.lower()})
    q_surnames = sorted({n for n in az.male_last + az.female_last if "q" in n.lower()})
    qrng.shuffle(q_given)
    for i, giv in enumerate(q_given[:30]):
        name = f"{q_surnames[i % len(q_surnames)]} {giv}"
        cyrillic = az_to_ru(name, q="к")
        pos(name, cyrillic, "az_cyrillic_q_k", "faker:az_AZ+rule:az-ru-q-k")
        pos(
            name,
            iuliia.BGN_PCGN.translate(cyrillic),
            "soviet_english_q_k",
            "faker:az_AZ+rule:soviet-english-q-k",
        )
    for a, b in Q_PAIRS:
        pos(a, b, "q_as_k", "hand:q-as-k")
    for a, b in Q_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_q_k", "hand:negative-q-k"))
    given = sorted({n.strip() for n in az.male_first + az.female_first})
    for a in given:
        for b in given:
            if (
                "q" in a.lower()
                and "k" in b.lower()
                and fuzz.ratio(fold(a).replace("q", "k"), fold(b)) >= 75
                and spelling_fold(a) != spelling_fold(b)
            ):
                sur = qrng.choice(az.male_last)
                right = f"{sur} {b}"
                rows.append(
                    (
                        f"{sur} {a}",
                        az_to_ru(right, q="к") if qrng.random() < 0.5 else right,
                        0,
                        "mined_negative_q_k",
                        "faker:az_AZ+mined:negative-q-k",
                    )
                )
    for a, b in PERSIAN_Z_PAIRS:
        pos(a, b, "persian_z", "hand:persian-z")
    for a, b in GERMAN_PAIRS:
        pos(a, b, "german_cyrillic", "hand:german-ru")
    for a, b in COMPOUND_PAIRS:
        pos(a, b, "compound", "hand:compound")
    for a, b in SCRIPT_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_scripts", "hand:negative-scripts"))
    for a, b in ENDING_PAIRS:
        pos(a, b, "persian_ending", "hand:persian-ending")
    for a, b in WAW_PAIRS:
        pos(a, b, "persian_waw", "hand:persian-waw")
    for a, b in GERMAN_TRADITIONAL_PAIRS:
        pos(a, b, "german_cyrillic_traditional", "hand:german-ru-traditional")
    for a, b in ENDING_NEGATIVES + WAW_NEGATIVES + GERMAN_TRADITIONAL_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:negative-readings"))
    for a, b in WAW_VOWEL_PAIRS:
        pos(a, b, "persian_waw", "hand:persian-waw-vowel")
    for a, b in WAW_VOWEL_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:persian-waw-vowel"))
    for a, b in GERMAN_J_PAIRS:
        pos(a, b, "german_cyrillic_traditional", "hand:german-ru-j")
    for a, b in GERMAN_J_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:german-ru-j"))
    for a, b in JOACHIM_PAIRS:
        pos(a, b, "german_cyrillic_traditional", "hand:joachim-variants")
    for a, b in JOACHIM_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:joachim-variants"))
    for a, b in FINAL_YA_PAIRS:
        pos(a, b, "persian_final_ya", "hand:persian-final-ya")
    for a, b in FINAL_YA_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:persian-final-ya"))
    for a, b in LONG_A_PAIRS:
        pos(a, b, "persian_final_ya", "hand:persian-final-ya-names")
    for a, b in LONG_A_NEGATIVES:
        rows.append((a, b, 0, "hand_negative_readings", "hand:persian-final-ya-names"))
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "same", "category", "source"])
        w.writerows(rows)
    print(f"{len(rows)} pairs: {sum(r[2] for r in rows)} positive -> {OUT}")


if __name__ == "__main__":
    main()
