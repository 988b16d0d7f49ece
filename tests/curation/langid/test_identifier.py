"""Behaviour of the public language-identification API on real models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from curation.langid import BACKENDS, LanguageIdentifier, LanguageResult, paragraph_language_shares
from tests.paths import REPO

SHORT = {
    "en": "The weather was cold, so we stayed inside and read books all afternoon.",
    "de": "Gestern sind wir mit dem Fahrrad zum See gefahren und haben dort gebadet.",
    "ru": "Вчера мы долго гуляли по парку и разговаривали о новой работе.",
    "uk": "Учора ми довго гуляли парком і розмовляли про нову роботу та плани.",
    "ar": "ذهبنا أمس إلى السوق واشترينا الكثير من الفواكه والخضروات الطازجة.",
    "zh": "我们昨天去公园散步，天气很好，大家都很开心。",
    "ja": "昨日は友達と一緒に公園を散歩して、とても楽しかったです。",
    "ko": "어제 우리는 친구들과 함께 공원에서 산책을 하며 즐거운 시간을 보냈습니다.",
    "hi": "कल हम अपने दोस्तों के साथ बाज़ार गए और बहुत सारे फल खरीदे।",
}
LONG = {
    "en": (
        "Libraries have changed a great deal over the last few decades. Where they once held "
        "mostly printed books, many now lend laptops, run language classes and host meetings "
        "for local clubs. Librarians spend more of their time helping people find reliable "
        "information online, and less of it stamping due dates on cards."
    ),
    "ru": (
        "Библиотеки сильно изменились за последние десятилетия. Раньше в них хранились в "
        "основном печатные книги, а теперь многие выдают ноутбуки, проводят языковые курсы и "
        "принимают встречи местных клубов. Библиотекари всё больше помогают людям находить "
        "надёжную информацию в интернете."
    ),
    "ar": (
        "تغيرت المكتبات كثيرا خلال العقود القليلة الماضية. فبعد أن كانت تحتفظ بالكتب المطبوعة "
        "في الغالب، أصبح كثير منها يعير الحواسيب المحمولة وينظم دروس اللغة ويستضيف اجتماعات "
        "النوادي المحلية. ويقضي أمناء المكتبات وقتا أطول في مساعدة الناس على إيجاد معلومات "
        "موثوقة على الإنترنت."
    ),
    "zh": (
        "在过去的几十年里，图书馆发生了很大的变化。过去它们主要收藏印刷书籍，现在许多图书馆"
        "出借笔记本电脑，开设语言课程，并为当地的俱乐部提供聚会场所。图书馆员把更多的时间"
        "用来帮助人们在网上查找可靠的信息。"
    ),
    "hi": (
        "पिछले कुछ दशकों में पुस्तकालयों में बहुत बदलाव आया है। पहले वे मुख्य रूप से छपी हुई "
        "किताबें रखते थे, लेकिन अब कई पुस्तकालय लैपटॉप उधार देते हैं, भाषा की कक्षाएँ चलाते हैं "
        "और स्थानीय क्लबों की बैठकों की मेज़बानी करते हैं।"
    ),
}


@pytest.fixture(scope="module", params=BACKENDS)
def identifier(request: pytest.FixtureRequest) -> LanguageIdentifier:
    return LanguageIdentifier(backend=request.param)


@pytest.fixture(scope="module")
def hybrid() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.mark.parametrize(("lang", "text"), sorted(SHORT.items()) + sorted(LONG.items()))
def test_detects_language_in_several_scripts(
    identifier: LanguageIdentifier, lang: str, text: str
) -> None:
    result = identifier.detect(text)
    assert result.lang == lang
    assert result.reliable
    assert 0.0 < result.score <= 1.0
    assert result.alternatives[0] == (result.lang, result.score)
    assert list(result.alternatives) == sorted(result.alternatives, key=lambda a: (-a[1], a[0]))
    assert len(result.alternatives) <= 3
    assert result.backend in {"fasttext", "langdetect", "script"}


@pytest.mark.parametrize("text", ["", "   \n\t ", "12345 67.89 !!! ---", "https://example.com/a/b"])
def test_no_letters_gives_no_language(identifier: LanguageIdentifier, text: str) -> None:
    result = identifier.detect(text)
    assert result == LanguageResult(None, 0.0, (), False, result.backend)


def test_short_text_is_unreliable_best_guess(hybrid: LanguageIdentifier) -> None:
    result = hybrid.detect("Guten Morgen")
    assert not result.reliable
    assert result.lang is not None
    assert result.backend == "langdetect"  # short texts always go to langdetect


def test_markup_and_urls_are_ignored(hybrid: LanguageIdentifier) -> None:
    noisy = f"<p>{LONG['en']}</p> See https://example.org/x?id=42 or mail a@b.de. 2024-01-01"
    assert hybrid.detect(noisy).lang == "en"


def test_all_caps_text(hybrid: LanguageIdentifier) -> None:
    assert hybrid.detect(SHORT["en"].upper()).lang == "en"


def test_hybrid_uses_fasttext_when_confident(hybrid: LanguageIdentifier) -> None:
    assert hybrid.detect(LONG["en"]).backend == "fasttext"
    strict = LanguageIdentifier(hybrid_threshold=1.0)
    assert strict.detect(LONG["en"]).backend == "langdetect"


def test_same_text_same_result(identifier: LanguageIdentifier) -> None:
    for text in [*SHORT.values(), "Ok ok no sé"]:
        assert identifier.detect(text) == identifier.detect(text)


def test_unknown_backend_raises() -> None:
    with pytest.raises(ValueError, match="unknown language-id backend"):
        LanguageIdentifier(backend="cld3")


def test_threshold_out_of_range_raises() -> None:
    with pytest.raises(ValueError, match="hybrid_threshold"):
        LanguageIdentifier(hybrid_threshold=1.5)
    with pytest.raises(ValueError, match="langdetect_windows"):
        LanguageIdentifier(langdetect_windows=0)


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_script_shortcut_gives_langdetects_answer(lang: str) -> None:
    shortcut = LanguageIdentifier(backend="langdetect").detect(SHORT[lang])
    library = LanguageIdentifier(backend="langdetect", script_shortcut=False).detect(SHORT[lang])
    assert (shortcut.lang, shortcut.backend, shortcut.score) == (lang, "script", 1.0)
    assert (library.lang, library.backend) == (lang, "langdetect")
    assert shortcut.reliable == library.reliable


def test_script_shortcut_only_replaces_langdetect(hybrid: LanguageIdentifier) -> None:
    assert hybrid.detect(SHORT["ko"]).backend == "fasttext"  # fastText is sure: no shortcut
    short = hybrid.detect("어제 공원")  # too short for fastText: langdetect's turn
    assert (short.lang, short.backend, short.reliable) == ("ko", "script", False)
    # Cyrillic is written by several langdetect languages: no shortcut.
    assert LanguageIdentifier(backend="langdetect").detect(SHORT["uk"]).backend == "langdetect"


def test_windows_read_the_whole_document() -> None:
    # A document whose head is English and whose body is Russian: the head alone says English,
    # windows spread over the document see the Russian majority.
    text = LONG["en"][:150] + "\n\n" + "\n\n".join([LONG["ru"]] * 6)
    head = LanguageIdentifier(backend="langdetect", langdetect_chars=120, langdetect_windows=1)
    spread = LanguageIdentifier(backend="langdetect", langdetect_chars=120, langdetect_windows=3)
    assert head.detect(text).lang == "en"
    assert spread.detect(text).lang == "ru"
    assert spread.detect(text) == spread.detect(text)


_CHILD = """
import json, sys
from curation.langid import LanguageIdentifier
texts = json.loads(sys.stdin.read())
out = {}
for backend in ("langdetect", "hybrid"):
    ident = LanguageIdentifier(backend=backend)
    out[backend] = [[r.lang, r.score, r.alternatives, r.backend]
                    for r in map(ident.detect, texts)]
ident = LanguageIdentifier(backend="langdetect", langdetect_chars=90, langdetect_windows=3)
out["windows"] = [[r.lang, r.score, r.alternatives] for r in map(ident.detect, texts)]
print(json.dumps(out))
"""


def test_deterministic_across_processes() -> None:
    # Ambiguous short texts make langdetect's random sampling matter.
    texts = ["Ok ok no sé", "Hola hello", "Ja nee", SHORT["uk"], LONG["zh"][:12]]
    texts.append("\n\n".join([LONG["en"], "Ok ok no sé", LONG["ru"], SHORT["de"], "Ja nee"]))
    runs = [
        subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    here = LanguageIdentifier(backend="langdetect")
    child = json.loads(runs[0])["langdetect"]
    assert [[r.lang, r.score] for r in map(here.detect, texts)] == [row[:2] for row in child]


def test_paragraph_shares_by_characters(hybrid: LanguageIdentifier) -> None:
    text = "\n\n".join([LONG["en"], LONG["ru"], "ok", LONG["en"]])
    shares = paragraph_language_shares(hybrid, text)
    assert list(shares) == ["en", "ru"]
    assert shares["en"] + shares["ru"] == pytest.approx(1.0)
    assert shares["en"] > shares["ru"] > 0.2


def test_paragraph_shares_short_and_empty(hybrid: LanguageIdentifier) -> None:
    assert paragraph_language_shares(hybrid, "") == {}
    assert paragraph_language_shares(hybrid, SHORT["de"]) == {"de": 1.0}
