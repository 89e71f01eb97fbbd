"""Look of the Gradio app: a theme with local fonts only (no web fonts: the page works offline)
and the styles of answers, source cards and lists."""

import json

import gradio as gr

from .text import LANGUAGE_COOKIE

FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC",
         "system-ui", "sans-serif"]
MONO_FONTS = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]



_REMEMBER = f"document.cookie = '{LANGUAGE_COOKIE}=' + code + '; path=/; SameSite=Strict';"


def language_js(titles: dict[str, str]) -> str:
    """On first load: the language chosen before (cookie), else the browser's, picks the interface
    language (the switch then overrides it), and the page title follows."""
    return f"""(current) => {{
  const kept = document.cookie.match(/(?:^|; ){LANGUAGE_COOKIE}=(zh|en)/);
  const tag = (navigator.languages && navigator.languages[0]) || navigator.language || 'zh';
  const code = kept ? kept[1] : (tag.toLowerCase().startsWith('zh') ? 'zh' : 'en');
  document.title = {json.dumps(titles)}[code];
  {_REMEMBER}
  return [code];
}}"""


def title_js(titles: dict[str, str]) -> str:
    """On a switch of language: the page title follows, and the server's messages (cookie)."""
    return f"(code) => {{ document.title = {json.dumps(titles)}[code] || document.title; {_REMEMBER} }}"


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="red", secondary_hue="orange", neutral_hue="slate",
                          font=FONTS, font_mono=MONO_FONTS)


STATUS_CSS = """
.cr-status { padding: 0.4rem 0.7rem; border-radius: 6px; margin: 0.2rem 0; }
.cr-status ul { margin: 0.3rem 0 0 1.2rem; }
.cr-status.cr-ok { background: #e8f5e9; color: #1b5e20; }
.cr-status.cr-error { background: #fdecea; color: #b71c1c; }
.cr-status.cr-info { background: #e3f2fd; color: #0d47a1; }
.cr-status.cr-warn { background: #fff7e6; color: #8a5a00; }
"""

LOGIN_CSS = f"""
body {{ font-family: {", ".join(repr(f) if " " in f else f for f in FONTS)}; background: #f8fafc;
  color: #1e293b; margin: 0; }}
main {{ max-width: 26rem; margin: 4rem auto; padding: 1.5rem 2rem; background: white;
  border: 1px solid #e2e8f0; border-radius: 10px; }}
h1 {{ font-size: 1.3rem; margin: 0 0 0.3rem; }}
h2 {{ font-size: 1rem; font-weight: 600; color: #64748b; margin: 0 0 1rem; }}
form label {{ display: block; margin: 0 0 0.8rem; font-size: 0.9rem; }}
form input {{ display: block; width: 100%; box-sizing: border-box; margin-top: 0.25rem;
  padding: 0.45rem 0.6rem; border: 1px solid #cbd5e1; border-radius: 6px; font-size: 1rem; }}
form button {{ width: 100%; padding: 0.55rem; border: 0; border-radius: 6px; background: #dc2626;
  color: white; font-size: 1rem; cursor: pointer; }}
.cr-links {{ margin-top: 1.2rem; font-size: 0.85rem; }}
code {{ background: #f1f5f9; padding: 0 0.2rem; border-radius: 3px; word-break: break-all; }}
{STATUS_CSS}"""

CSS = STATUS_CSS + """
#cr-top { align-items: flex-start; }
.cr-header h1.cr-title { font-size: 1.7rem; margin: 0.2rem 0 0.3rem; }
.cr-header .cr-welcome { margin: 0 0 0.4rem; color: var(--body-text-color-subdued); font-size: 1rem; }
.cr-banner { display: inline-block; font-size: 0.85rem; padding: 0.2rem 0.6rem; border-radius: 6px;
  background: #fff7e6; color: #8a5a00; border: 1px solid #f3d19e; }
.cr-question { white-space: normal; }
.cr-answer { line-height: 1.7; }
.cr-answer .cr-text { font-size: 1rem; }
.cr-ref { color: var(--color-accent); font-weight: 600; font-size: 0.75em; margin: 0 1px; }
.cr-badge { display: inline-block; background: #e8f5e9; color: #1b5e20; border: 1px solid #a5d6a7;
  border-radius: 999px; font-size: 0.8rem; padding: 0 0.6rem; margin-bottom: 0.4rem; }
.cr-contact { margin-top: 0.5rem; padding: 0.4rem 0.7rem; border-left: 3px solid #90a4ae;
  background: #f5f7f8; color: #37474f; }
.cr-notice { margin-top: 0.4rem; font-size: 0.85rem; color: #8a5a00; }
.cr-sources { margin-top: 0.7rem; display: flex; flex-direction: column; gap: 0.5rem; }
.cr-sources-label { font-size: 0.8rem; color: var(--body-text-color-subdued); font-weight: 600; }
.cr-card { border: 1px solid var(--border-color-primary); border-left: 4px solid var(--color-accent);
  border-radius: 8px; padding: 0.5rem 0.7rem; background: var(--background-fill-primary); }
.cr-card-head { display: flex; align-items: baseline; gap: 0.5rem; flex-wrap: wrap; }
.cr-card-n { display: inline-flex; min-width: 1.4em; height: 1.4em; align-items: center;
  justify-content: center; border-radius: 50%; background: var(--color-accent); color: white;
  font-size: 0.75rem; font-weight: 700; }
.cr-card-title { font-weight: 600; }
.cr-card-page { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.cr-card-source { font-size: 0.75rem; color: var(--body-text-color-subdued); word-break: break-all; }
.cr-passage { margin-top: 0.3rem; font-size: 0.92rem; }
mark.cr-internal { background: #fde2e1; color: #8b1a12; padding: 0 1px; border-radius: 2px; }
.cr-internal-tag { font-size: 0.75em; color: #b71c1c; border: 1px solid #f5b7b1; border-radius: 3px;
  padding: 0 3px; margin: 0 2px; white-space: nowrap; }
.cr-entry-withheld { color: #b71c1c; font-size: 0.9em; margin: 0.2rem 0; }
.cr-draft-text { padding: 0.4rem 0.7rem; border: 1px dashed #f5b7b1; border-radius: 6px; }
.cr-table { border-collapse: collapse; margin: 0.3rem 0; font-size: 0.85rem; }
.cr-table caption { text-align: left; font-weight: 600; padding-bottom: 0.2rem; }
.cr-table th, .cr-table td { border: 1px solid var(--border-color-primary); padding: 0.15rem 0.4rem; }
.cr-table tr.cr-hl td { background: var(--color-accent-soft); }
.cr-card-ocr { margin-top: 0.3rem; font-size: 0.75rem; color: var(--body-text-color-subdued); }
mark.cr-hl { background: #fff1a8; color: inherit; padding: 0 1px; border-radius: 2px; }
details.cr-context { margin-top: 0.3rem; font-size: 0.85rem; }
details.cr-context summary { cursor: pointer; color: var(--color-accent); }
.cr-context-text { margin-top: 0.3rem; padding: 0.4rem 0.6rem; background: var(--background-fill-secondary);
  border-radius: 6px; color: var(--body-text-color-subdued); max-height: 18rem; overflow-y: auto; }
.cr-context-passage { color: var(--body-text-color); background: #fff8d6; }
.cr-meta { margin-top: 0.5rem; font-size: 0.75rem; color: var(--body-text-color-subdued); }
.cr-muted { color: var(--body-text-color-subdued); }
.cr-error { color: #b71c1c; }
#cr-examples { align-items: center; justify-content: flex-start; flex-wrap: wrap; gap: 0.4rem; }
#cr-examples > * { flex: 0 1 auto !important; min-width: 0 !important; }
#cr-examples-label { width: auto !important; }
#cr-examples .cr-examples-label { font-size: 0.9rem; color: var(--body-text-color-subdued); white-space: nowrap; }
.cr-example { flex: 0 1 auto !important; min-width: 0 !important; }
.cr-staff-disabled { padding: 1rem 1.2rem; border: 1px solid #f3d19e; background: #fffaf0; border-radius: 8px; }
.cr-staff-disabled code { white-space: pre-wrap; word-break: break-all; }
.cr-actions { gap: 0.5rem; align-items: flex-end; flex-wrap: wrap; }
.cr-actions > * { flex-grow: 0 !important; }
table.cr-docs, table.cr-questions { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
table.cr-docs { table-layout: fixed; }
table.cr-docs th, table.cr-docs td, table.cr-questions th, table.cr-questions td {
  border-bottom: 1px solid var(--border-color-primary); padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
table.cr-docs th.cr-col-title, table.cr-docs th.cr-col-file { width: 30%; }
table.cr-docs th.cr-col-chunks { width: 5.5em; }
table.cr-docs th.cr-col-visibility { width: 6.5em; }
table.cr-docs td.cr-doc-title, table.cr-docs td.cr-doc-file { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
table.cr-docs td.cr-doc-status { overflow-wrap: anywhere; }
tr.cr-refused td.cr-logged-answered, tr.cr-judged-wrong td.cr-logged-feedback { color: #b71c1c; font-weight: 600; }
td.cr-logged-time { white-space: nowrap; }
.cr-comment { font-size: 0.8rem; color: var(--body-text-color-subdued); }
button.cr-draft-from { white-space: nowrap; padding: 0.2rem 0.6rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--color-accent); color: var(--color-accent); background: transparent; }
.cr-gaps { display: flex; flex-direction: column; gap: 0.5rem; }
.cr-gap { border-left: 3px solid #f3a712; padding: 0.2rem 0.7rem; }
.cr-gap-summary { font-weight: 600; }
.cr-gap-examples { margin: 0.2rem 0 0.2rem 1.2rem; }
table.cr-docs td.cr-doc-chunks { text-align: right; }
tr.cr-incomplete td.cr-doc-status, tr.cr-upload-failed td.cr-doc-status { color: #b71c1c; font-weight: 600; }
tr.cr-upload-waiting td.cr-doc-status { color: #8a5a00; }
tr.cr-vis-internal td.cr-doc-visibility { color: #8a5a00; }
.cr-library { display: flex; flex-direction: column; gap: 0.6rem; }
.cr-entry { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5rem 0.7rem; }
.cr-entry-q { font-weight: 600; }
.cr-entry-a { margin: 0.3rem 0; white-space: normal; }
.cr-entry-meta { font-size: 0.75rem; color: var(--body-text-color-subdued); }
"""
