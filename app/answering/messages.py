"""Fixed texts the assistant says, in the question's language."""

_TEXTS = {
    "not_found": {
        "zh": "抱歉，我们的文档中没有找到这个问题的答案。",
        "en": "Sorry, our documents do not answer this question.",
    },
    "llm_failed": {
        "zh": "大模型暂时无法回答（{reason}），以下为从文档中摘录的答案。",
        "en": "The language model could not answer ({reason}); this answer is extracted from the documents.",
    },
    "unsupported_numbers": {
        "zh": "注意：答案中的数字 {numbers} 未在所引用的段落中找到，请核对原文。",
        "en": "Caution: the figures {numbers} in this answer were not found in the cited passages; check the sources.",
    },
    "keyword_led": {
        "zh": "检索以关键词为主：语义模型不可用（离线），已使用内置英文模型。",
        "en": "Retrieval is keyword-led: the semantic model is unavailable offline, the bundled English model is used.",
    },
}


def say(key: str, language: str, **values: str) -> str:
    """The text `key` in `language` ('zh' or 'en'), with `values` filled in."""
    texts = _TEXTS[key]
    return texts.get(language, texts["en"]).format(**values)
