"""Turn a follow-up question in a chat (它、这个项目、what about …) into a standalone one.

Without an LLM: the previous question's subject is carried over. A pronoun is replaced by it;
"X呢？" / "what about X?" asks the previous question again about X.
"""

import re
from functools import lru_cache

from ingest.lexical import quiet_jieba

from .lexicon import alternation, word_set, words

_ABOUT_ZH = re.compile(r"^(?:那|那么)?(.{1,20}?)(?:呢|怎么样|如何)[？?]?$")
_ABOUT_EN = re.compile(r"^(?:and |so )?(?:what|how) about (.+?)[?.]?$", re.I)
_PROPER = ("ns", "nt", "nz", "nr", "nrt")
_EN_PROPER = re.compile(r"(?<=\s)[A-Z][a-z]+(?:\s[A-Z][a-z]+)*")


@lru_cache(maxsize=1)
def _pronouns() -> tuple[re.Pattern, re.Pattern]:
    """Chinese and English words that refer back, from the lexicon."""
    return (re.compile(alternation("followup", "pronouns_zh")),
            re.compile(rf"\b({alternation('followup', 'pronouns_en')})\b", re.I))


def subject_of(question: str) -> str:
    """The leading noun phrase of a question: 红星渠项目的负责人是谁 → 红星渠项目."""
    head = ""
    for word in quiet_jieba().cut(question):
        if word in word_set("followup", "subject_end"):
            break
        head += word
    head = head.strip(" ，,？?。")
    return head if 1 < len(head) <= 20 else ""


def _named(question: str, kind: str) -> str | None:
    """The phrase naming a thing of this kind: …签约了光伏支架制造项目 → 光伏支架制造项目."""
    found = re.findall(rf"([^了的和与在是对，,。？?、\s]{{1,14}}{kind})", question)
    return found[-1] if found else None


def _first_proper_noun(question: str) -> str | None:
    english = _EN_PROPER.search(question)
    if english:
        return english.group()
    for pair in quiet_jieba().posseg.cut(question):
        if pair.flag in _PROPER and len(pair.word) > 1:
            return pair.word
    return None


def carry_over(question: str, previous: str | None) -> str:
    """The question made standalone using the previous (standalone) question of the chat."""
    if not previous:
        return question
    question = question.strip()
    about = _ABOUT_ZH.match(question) or _ABOUT_EN.match(question)
    if about and len(question) <= 30:
        focus = about.group(1).strip()
        old = _first_proper_noun(previous) or subject_of(previous)
        if old and focus and old in previous:
            return previous.replace(old, focus, 1)
    zh_pronouns, en_pronouns = _pronouns()
    pronoun = zh_pronouns.search(question)
    kind = next((k for k in words("followup", "kinds") if pronoun and pronoun.group().endswith(k)), None)
    subject = (kind and _named(previous, kind)) or subject_of(previous) or _first_proper_noun(previous) or ""
    if subject and pronoun:
        return zh_pronouns.sub(subject, question, count=1)
    if subject and en_pronouns.search(question):
        return en_pronouns.sub(subject, question, count=1)
    return question
