"""Interface strings of the Gradio app, in Chinese and English.

Plain text only: whoever puts one of these into HTML escapes it (app/ui_render.py does).
"""

LANGUAGES = ("zh", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "page_title": "{county}投资咨询助手",
        "title": "{county}投资咨询助手",
        "welcome": "欢迎了解{county}！本助手依据{county}公开发布的文件回答投资相关问题，"
                   "每个回答都附有所依据的原文段落，方便您核对。",
        "tab_chat": "投资咨询",
        "tab_staff": "工作人员",
        "chat_label": "对话",
        "question_label": "您的问题",
        "question_placeholder": "请输入问题，例如：{county}有哪些重点产业？",
        "send": "发送",
        "examples": "您可以这样问：",
        "example_from_title": "《{title}》的主要内容是什么？",
        "thinking": "正在查阅文件……",
        "sources": "依据的原文",
        "page": "第{page}页",
        "show_context": "展开上下文",
        "no_context": "（无法取得该段落的上下文）",
        "ocr_note": "此段文字由扫描件识别（OCR）得到，可能有个别错字，请以原件为准。",
        "mode": "回答方式：{mode}",
        "mode_extractive": "原文摘录",
        "mode_llm": "大模型生成（{model}）",
        "mode_approved": "已审核答案",
        "approved_badge": "已审核答案",
        "not_found_title": "未找到答案",
        "error": "抱歉，系统暂时无法回答（{reason}）。请稍后再试。",
        # staff workspace
        "staff_disabled_title": "工作人员工作台未启用",
        "staff_disabled": "尚未配置工作人员账号，因此无法登录。启用方法：",
        "staff_disabled_step1": "运行 county-rag hash-password，输入密码，得到密码哈希；",
        "staff_disabled_step2": "设置环境变量 COUNTY_RAG_STAFF_USERS，例如："
                                "COUNTY_RAG_STAFF_USERS='{\"用户名\": \"<哈希>\"}'；",
        "staff_disabled_step3": "重新启动 county-rag serve。",
        "login_title": "工作人员登录",
        "user": "用户名",
        "password": "密码",
        "login": "登录",
        "logout": "退出登录",
        "login_failed": "用户名或密码错误。",
        "login_locked": "登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。",
        "session_expired": "登录已过期，请重新登录。",
        "logged_out": "已退出登录。",
        "staff_title": "{county}投资咨询助手 · 工作人员",
        "staff_link": "工作人员请在此登录",
        "back_to_chat": "返回投资咨询",
        "upload_refused": "只有已登录的工作人员才能上传文件。",
        "upload_too_many": "一次最多上传 {n} 个文件。",
        "upload_too_large": "文件“{name}”超过了 {mb} MB 的上限。",
        "upload_cache_full": "上传缓存已满（上限 {mb} MB），请稍后再试或联系管理员。",
        "logged_in": "已登录：{user}",
        "not_logged_in": "请先登录。",
        "tab_docs": "文件管理",
        "tab_pitch": "推介答案",
        "tab_library": "已审核答案库",
        "upload_label": "拖放文件到这里（可一次选择多个：PDF、Word、HTML、Markdown、TXT）",
        "visibility": "可见范围",
        "public": "公开",
        "internal": "内部",
        "upload": "上传并建立索引",
        "no_files": "请先选择要上传的文件。",
        "indexing": "正在建立索引：{done}/{total}",
        "indexing_start": "正在处理 {n} 个文件……",
        "upload_summary": "完成：新增 {added} 个，更新 {updated} 个，未变化 {unchanged} 个，失败 {failed} 个。",
        "failed_files": "以下文件未能建立索引：",
        "status_added": "已新增",
        "status_updated": "已更新",
        "status_failed": "失败",
        "status_relabelled": "可见范围已更改",
        "status_waiting": "等待建立索引",
        "failed_reason": "失败：{reason}",
        "reason_too_large": "文件过大：{size_mb} MB，超过 {limit_mb:g} MB 的上限",
        "reason_unpacked_too_large": "解压后达 {size_mb} MB，超过 {limit_mb:g} MB 的上限",
        "reason_packed_ratio": "解压后达 {size_mb} MB，是文件本身的 {ratio} 倍（上限 {limit:g} 倍），疑似压缩炸弹",
        "reason_timeout": "读取超过 {seconds:g} 秒没有进展，已停止",
        "reason_crashed": "读取程序意外退出，文件可能过大或已损坏",
        "reason_empty": "空文件",
        "reason_unsupported": "不支持的文件类型 {suffix}",
        "docs_title": "已建立索引的文件",
        "col_title": "标题",
        "col_file": "文件",
        "col_status": "状态",
        "col_chunks": "段落数",
        "col_visibility": "可见范围",
        "complete": "完整",
        "incomplete": "不完整",
        "no_docs": "索引中还没有文件。",
        "select_doc": "选择文件",
        "delete": "删除",
        "confirm_delete": "确认删除",
        "cancel": "取消",
        "confirm_delete_prompt": "确定要删除《{title}》吗？删除后它将不再被检索。",
        "make_public": "设为公开",
        "make_internal": "设为内部",
        "refresh": "刷新",
        "deleted": "已删除《{title}》。",
        "visibility_changed": "《{title}》现在的可见范围：{visibility}。",
        "pick_doc": "请先选择一个文件。",
        "pitch_intro": "输入投资者可能提出的问题，系统根据全部文件（含内部文件）起草答案。"
                       "修改后保存到已审核答案库；投资者提出相同问题时将直接看到该答案，"
                       "含有内部文件内容的答案除外。",
        "pitch_question": "问题",
        "draft": "起草答案",
        "draft_label": "答案草稿（可编辑，[n] 表示引用的原文）",
        "approve": "审核通过并保存",
        "approved_saved": "已保存到已审核答案库（审核人：{user}）。",
        "no_draft": "请先起草答案。",
        "empty_answer": "答案不能为空。",
        "internal_warning": "注意：此答案含有内部文件的内容（下面标出的句子，或引用的内部段落）。"
                            "保存后，投资者提出这个问题时看不到此答案，而是得到系统依据公开文件给出的回答。"
                            "要让投资者看到此答案，请删去或改写标出的句子，并删去对内部段落的引用。",
        "public_ok": "投资者提出这个问题时将看到此答案及其引用的段落。",
        "internal_sentence": "内部文件《{title}》",
        "internal_citations": "引用的内部段落：{numbers}",
        "approved_saved_internal": "已保存到已审核答案库（审核人：{user}）。此答案含有内部文件的内容，"
                                   "投资者看不到它。",
        "entry_withheld": "投资者看不到：含有内部文件的内容",
        "library_title": "已审核答案",
        "library_empty": "答案库为空。",
        "select_entry": "选择答案",
        "export_one_md": "导出所选（Markdown）",
        "export_one_docx": "导出所选（Word）",
        "export_all_md": "导出全部（Markdown）",
        "export_all_docx": "导出全部（Word）",
        "delete_entry": "从答案库删除",
        "entry_deleted": "已从答案库删除。",
        "approved_by": "审核人：{user}，{when}",
        "question": "问题",
        "n_sources": "{n} 条来源",
    },
    "en": {
        "page_title": "{county} Investment Assistant",
        "title": "{county} Investment Assistant",
        "welcome": "Welcome to {county}! This assistant answers investors' questions from the "
                   "documents {county} has published, and shows the passages each answer relies on.",
        "tab_chat": "Investor chat",
        "tab_staff": "Staff",
        "chat_label": "Conversation",
        "question_label": "Your question",
        "question_placeholder": "Ask a question, e.g. What are the main industries of {county}?",
        "send": "Send",
        "examples": "Try asking:",
        "example_from_title": "What does \u201c{title}\u201d say?",
        "thinking": "Looking through the documents…",
        "sources": "Sources",
        "page": "p. {page}",
        "show_context": "Show surrounding text",
        "no_context": "(the surrounding text of this passage is unavailable)",
        "ocr_note": "This text was recognised from a scan (OCR) and may contain misread characters; "
                    "check the original.",
        "mode": "Answered by: {mode}",
        "mode_extractive": "extracts from the documents",
        "mode_llm": "language model ({model})",
        "mode_approved": "approved answer",
        "approved_badge": "Approved answer",
        "not_found_title": "Not found",
        "error": "Sorry, the assistant cannot answer right now ({reason}). Please try again later.",
        "staff_disabled_title": "The staff workspace is not enabled",
        "staff_disabled": "No staff logins are configured, so nobody can log in. To enable it:",
        "staff_disabled_step1": "run county-rag hash-password and type a password to get its hash;",
        "staff_disabled_step2": "set the environment variable COUNTY_RAG_STAFF_USERS, for example "
                                "COUNTY_RAG_STAFF_USERS='{\"name\": \"<hash>\"}';",
        "staff_disabled_step3": "restart county-rag serve.",
        "login_title": "Staff login",
        "user": "User name",
        "password": "Password",
        "login": "Log in",
        "logout": "Log out",
        "login_failed": "Wrong user name or password.",
        "login_locked": "Too many failed logins: locked for now. Try again in {minutes} minutes.",
        "session_expired": "Your login has expired; please log in again.",
        "logged_out": "Logged out.",
        "staff_title": "{county} Investment Assistant · Staff",
        "staff_link": "Staff log in here",
        "back_to_chat": "Back to the investor chat",
        "upload_refused": "Only logged-in staff can upload files.",
        "upload_too_many": "At most {n} files can be uploaded at once.",
        "upload_too_large": "\u201c{name}\u201d is larger than the {mb} MB limit.",
        "upload_cache_full": "The upload cache is full ({mb} MB limit); try again later or ask the "
                             "administrator.",
        "logged_in": "Logged in as {user}",
        "not_logged_in": "Please log in first.",
        "tab_docs": "Documents",
        "tab_pitch": "Pitch answers",
        "tab_library": "Approved answers",
        "upload_label": "Drop files here (several at once: PDF, Word, HTML, Markdown, TXT)",
        "visibility": "Visibility",
        "public": "public",
        "internal": "internal",
        "upload": "Upload and index",
        "no_files": "Choose the files to upload first.",
        "indexing": "Indexing: {done}/{total}",
        "indexing_start": "Processing {n} files…",
        "upload_summary": "Done: {added} added, {updated} updated, {unchanged} unchanged, {failed} failed.",
        "failed_files": "These files could not be indexed:",
        "status_added": "added",
        "status_updated": "updated",
        "status_failed": "failed",
        "status_relabelled": "visibility changed",
        "status_waiting": "waiting to be indexed",
        "failed_reason": "failed: {reason}",
        "reason_too_large": "file too large: {size_mb} MB, over the {limit_mb:g} MB limit",
        "reason_unpacked_too_large": "unpacks to {size_mb} MB, over the {limit_mb:g} MB limit",
        "reason_packed_ratio": "unpacks to {size_mb} MB, {ratio} times its size (limit {limit:g}): "
                               "a decompression bomb?",
        "reason_timeout": "reading it made no progress for {seconds:g} s; stopped",
        "reason_crashed": "the reader stopped unexpectedly; the file may be too large or malformed",
        "reason_empty": "empty file",
        "reason_unsupported": "unsupported file type {suffix}",
        "docs_title": "Indexed documents",
        "col_title": "Title",
        "col_file": "File",
        "col_status": "Status",
        "col_chunks": "Chunks",
        "col_visibility": "Visibility",
        "complete": "complete",
        "incomplete": "incomplete",
        "no_docs": "The index holds no documents yet.",
        "select_doc": "Document",
        "delete": "Delete",
        "confirm_delete": "Confirm delete",
        "cancel": "Cancel",
        "confirm_delete_prompt": "Delete \u201c{title}\u201d? It will no longer be searched.",
        "make_public": "Make public",
        "make_internal": "Make internal",
        "refresh": "Refresh",
        "deleted": "Deleted \u201c{title}\u201d.",
        "visibility_changed": "\u201c{title}\u201d is now {visibility}.",
        "pick_doc": "Choose a document first.",
        "pitch_intro": "Type a question an investor might ask; the draft answer draws on all "
                       "documents, internal ones included. Edit it and save it to the approved "
                       "answers: investors asking the same question then get it as it stands, "
                       "unless it holds content from internal documents.",
        "pitch_question": "Question",
        "draft": "Draft an answer",
        "draft_label": "Draft answer (editable; [n] marks a cited passage)",
        "approve": "Approve and save",
        "approved_saved": "Saved to the approved answers (approved by {user}).",
        "no_draft": "Draft an answer first.",
        "empty_answer": "The answer is empty.",
        "internal_warning": "Note: this answer holds content from internal documents (the sentences "
                            "marked below, or cited internal passages). Once approved, investors asking "
                            "this question will not see it: they get the assistant's own answer from "
                            "public documents instead. For investors to see it, delete or rewrite the "
                            "marked sentences and remove the citations of internal passages.",
        "public_ok": "Investors asking this question will see this answer and the passages it cites.",
        "internal_sentence": "internal document \u201c{title}\u201d",
        "internal_citations": "Cited internal passages: {numbers}",
        "approved_saved_internal": "Saved to the approved answers (approved by {user}). It holds "
                                   "content from internal documents: investors will not see it.",
        "entry_withheld": "Not shown to investors: holds content from internal documents",
        "library_title": "Approved answers",
        "library_empty": "No approved answers yet.",
        "select_entry": "Answer",
        "export_one_md": "Export selected (Markdown)",
        "export_one_docx": "Export selected (Word)",
        "export_all_md": "Export all (Markdown)",
        "export_all_docx": "Export all (Word)",
        "delete_entry": "Delete from library",
        "entry_deleted": "Deleted from the library.",
        "approved_by": "Approved by {user}, {when}",
        "question": "Question",
        "n_sources": "{n} sources",
    },
}


LANGUAGE_COOKIE = "county_rag_lang"  # the interface language chosen in the page, for the server's messages


def language(code: str | None) -> str:
    """'zh' or 'en' from a UI choice or a browser language tag such as 'zh-CN' or 'en-US'."""
    return "zh" if (code or "zh").lower().startswith("zh") else "en"


def reason_text(reason: object, lang: str) -> str:
    """Why a file was not indexed, in `lang` when the reason's kind has a string here
    (ingest.errors.FileRejected.kind), else as ingestion worded it."""
    key = f"reason_{getattr(reason, 'kind', '')}"
    if key in _TEXTS["zh"]:
        try:
            return t(lang, key, **getattr(reason, "details", {}))
        except (KeyError, ValueError):
            pass
    return str(reason)


def t(lang: str, key: str, **values) -> str:
    """The string `key` in `lang`, with `values` filled in (str.format)."""
    texts = _TEXTS.get(lang, _TEXTS["zh"])
    text = texts.get(key, _TEXTS["zh"][key])
    return text.format(**values) if values else text
