/* county-rag website widget: a chat button and panel for the county's own pages.
 *
 *   <script src="https://ASSISTANT-SERVER/v1/widget.js" defer></script>
 *   optional: data-lang="zh|en" (default: the page's language), data-title="…"
 *
 * It talks to the same server's /v1 API (the page's origin must be in COUNTY_RAG_API_ORIGINS),
 * shows answers with their numbered sources, and sends thumbs up/down with a comment.
 * Everything shown comes from documents or visitors: it is only ever set as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__countyRagWidget) return;
  window.__countyRagWidget = true;

  var API = new URL(".", script.src).href.replace(/\/$/, "");  // …/v1
  var HISTORY_MESSAGES = 8;
  var lang = (script.dataset.lang || document.documentElement.lang || "zh").slice(0, 2) === "en" ? "en" : "zh";
  var TEXT = {
    zh: {open: "投资咨询", title: "投资咨询助手", placeholder: "请输入您的问题…", send: "发送",
         close: "关闭", sources: "来源", page: "第{n}页", approved: "已审核答案", thinking: "正在查找…",
         up: "有帮助", down: "没有帮助", comment: "补充说明（可选）", submit: "提交",
         thanks: "感谢您的反馈！", error: "出错了：{reason}", unreachable: "无法连接到服务"},
    en: {open: "Ask us", title: "Investment assistant", placeholder: "Type your question…", send: "Send",
         close: "Close", sources: "Sources", page: "p. {n}", approved: "Approved answer", thinking: "Searching…",
         up: "Helpful", down: "Not helpful", comment: "Tell us more (optional)", submit: "Submit",
         thanks: "Thank you for your feedback!", error: "Something went wrong: {reason}",
         unreachable: "the service cannot be reached"}
  }[lang];
  var session = sessionId();
  var history = [];  // {role, content}: earlier questions and final answers, for follow-ups

  function t(key, values) {
    return TEXT[key].replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function sessionId() {
    var key = "county-rag-session";
    try {
      var id = sessionStorage.getItem(key);
      if (!id) {
        id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
        sessionStorage.setItem(key, id);
      }
      return id;
    } catch (e) {
      return null;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 20px;",
    "background:#b4232a;color:#fff;font-size:15px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:min(400px,calc(100vw - 24px));",
    "height:min(600px,calc(100vh - 100px));display:flex;flex-direction:column;background:#fff;color:#222;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;font-size:14px;line-height:1.6}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#b4232a;color:#fff;font-weight:600}",
    ".head button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f7f7f8}",
    ".q{margin:8px 0 8px auto;max-width:85%;width:fit-content;padding:8px 12px;border-radius:10px;background:#b4232a;color:#fff;white-space:pre-wrap;word-break:break-word}",
    ".a{margin:8px 0;max-width:95%;padding:10px 12px;border-radius:10px;background:#fff;border:1px solid #e3e3e6;word-break:break-word}",
    ".text{white-space:pre-wrap}",
    ".muted{color:#888}",
    ".badge{display:inline-block;margin-bottom:6px;padding:1px 8px;border-radius:8px;background:#e8f4ea;color:#1e6b34;font-size:12px}",
    ".notice{margin-top:6px;padding:6px 8px;border-radius:6px;background:#fff6e0;color:#7a5200;font-size:13px}",
    ".error{color:#b4232a}",
    "sup.ref{color:#b4232a;cursor:pointer;font-size:11px;margin:0 1px}",
    ".sources{margin-top:8px;border-top:1px solid #eee;padding-top:6px}",
    ".sources-label{font-size:12px;color:#666;margin-bottom:4px}",
    ".card{margin:4px 0;border:1px solid #eee;border-radius:8px;background:#fafafa}",
    ".card summary{cursor:pointer;padding:6px 8px;font-size:13px;list-style-position:inside}",
    ".card .n{display:inline-block;min-width:20px;margin-right:4px;padding:0 5px;border-radius:8px;background:#b4232a;color:#fff;font-size:11px;text-align:center}",
    ".card .where{color:#777;font-size:12px;margin-left:4px}",
    ".card .passage{padding:4px 10px 8px;font-size:13px;white-space:pre-wrap;color:#333}",
    "mark{background:#ffe9a8;color:inherit}",
    ".rate{margin-top:8px;display:flex;gap:6px;align-items:center;flex-wrap:wrap}",
    ".rate button{border:1px solid #ddd;background:#fff;border-radius:14px;padding:2px 10px;cursor:pointer;font-size:13px}",
    ".rate button[aria-pressed=true]{background:#fdecec;border-color:#b4232a}",
    ".comment{display:flex;gap:6px;width:100%;margin-top:4px}",
    ".comment input{flex:1;min-width:0;border:1px solid #ddd;border-radius:6px;padding:4px 8px;font-size:13px}",
    ".comment button{border-radius:6px}",
    "form.ask{display:flex;gap:8px;padding:10px;border-top:1px solid #eee;background:#fff}",
    "form.ask textarea{flex:1;resize:none;height:42px;border:1px solid #ccc;border-radius:8px;padding:8px;font-size:14px}",
    "form.ask button{border:0;border-radius:8px;padding:0 16px;background:#b4232a;color:#fff;font-size:14px;cursor:pointer}",
    "form.ask button:disabled{opacity:.5;cursor:default}"
  ].join("\n");

  var host = el("div");
  host.id = "county-rag-widget";
  var root = host.attachShadow({mode: "open"});
  var style = el("style");
  style.textContent = CSS;
  var launcher = el("button", "launcher", TEXT.open);
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  var panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", script.dataset.title || TEXT.title);
  var head = el("div", "head");
  var close = el("button", "", "×");
  close.type = "button";
  close.setAttribute("aria-label", TEXT.close);
  head.append(el("span", "", script.dataset.title || TEXT.title), close);
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "ask");
  var input = el("textarea");
  input.placeholder = TEXT.placeholder;
  input.setAttribute("aria-label", TEXT.placeholder);
  var send = el("button", "", TEXT.send);
  send.type = "submit";
  form.append(input, send);
  panel.append(head, log, form);
  root.append(style, launcher, panel);
  (document.body || document.documentElement).appendChild(host);

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  }
  launcher.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || send.disabled) return;
    input.value = "";
    ask(question);
  });

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  /* Answer text with its [n] markers (those naming a source) as superscripts. */
  function markedText(text, numbers, cards) {
    var box = el("div", "text");
    var parts = text.split(/\[(\d{1,3})\]/);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 0) {
        if (parts[i]) box.appendChild(document.createTextNode(parts[i]));
      } else if (numbers.indexOf(Number(parts[i])) >= 0) {
        var sup = el("sup", "ref", "[" + parts[i] + "]");
        sup.dataset.n = parts[i];
        sup.addEventListener("click", openCard(cards, Number(parts[i])));
        box.appendChild(sup);
      } else {
        box.appendChild(document.createTextNode("[" + parts[i] + "]"));
      }
    }
    return box;
  }

  function openCard(cards, n) {
    return function () {
      var card = cards[n];
      if (!card) return;
      card.open = true;
      card.scrollIntoView({block: "nearest"});
    };
  }

  /* A passage, with the sentences the answer used in <mark>. */
  function highlighted(passage, sentences) {
    var spans = [];
    (sentences || []).forEach(function (sentence) {
      sentence = (sentence || "").trim();
      if (!sentence) return;
      for (var at = passage.indexOf(sentence); at >= 0; at = passage.indexOf(sentence, at + sentence.length)) {
        spans.push([at, at + sentence.length]);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var box = el("div", "passage");
    var at = 0;
    spans.forEach(function (span) {
      if (span[0] < at) return;
      box.appendChild(document.createTextNode(passage.slice(at, span[0])));
      box.appendChild(el("mark", "", passage.slice(span[0], span[1])));
      at = span[1];
    });
    box.appendChild(document.createTextNode(passage.slice(at)));
    return box;
  }

  function sourceCard(citation) {
    var card = el("details", "card");
    card.dataset.n = String(citation.n);
    var summary = el("summary");
    var pages = citation.page_end ? citation.page + "–" + citation.page_end : citation.page;
    var where = citation.source + (citation.page ? " · " + t("page", {n: pages}) : "");
    summary.append(el("span", "n", citation.n), el("span", "title", citation.title || citation.source),
                   el("span", "where", where));
    card.append(summary, highlighted(citation.text, citation.highlights));
    return card;
  }

  function showAnswer(box, reply) {
    box.textContent = "";
    if (reply.mode === "approved") box.appendChild(el("div", "badge", TEXT.approved));
    var cards = {};
    var citations = reply.citations || [];
    citations.forEach(function (c) { cards[c.n] = sourceCard(c); });
    box.appendChild(markedText(reply.text, citations.map(function (c) { return c.n; }), cards));
    (reply.notices || []).forEach(function (notice) { box.appendChild(el("div", "notice", notice)); });
    if (citations.length) {
      var sources = el("div", "sources");
      sources.appendChild(el("div", "sources-label", TEXT.sources));
      citations.forEach(function (c) { sources.appendChild(cards[c.n]); });
      box.appendChild(sources);
    }
    if (reply.id) box.appendChild(rating(reply.id));
  }

  function rating(answerId) {
    var bar = el("div", "rate");
    var up = el("button", "up", "👍 " + TEXT.up);
    var down = el("button", "down", "👎 " + TEXT.down);
    var chosen = null;
    var comment = el("div", "comment");
    var field = el("input");
    field.placeholder = TEXT.comment;
    field.maxLength = 2000;
    var submit = el("button", "", TEXT.submit);
    comment.append(field, submit);
    comment.hidden = true;
    [up, down].forEach(function (button) {
      button.type = "button";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        chosen = button === up ? "up" : "down";
        up.setAttribute("aria-pressed", String(chosen === "up"));
        down.setAttribute("aria-pressed", String(chosen === "down"));
        comment.hidden = false;
        sendFeedback(answerId, chosen, null, bar);
      });
    });
    submit.type = "button";
    submit.addEventListener("click", function () {
      if (!chosen) return;
      sendFeedback(answerId, chosen, field.value.trim() || null, bar, function () {
        comment.replaceWith(el("span", "thanks muted", TEXT.thanks));
      });
    });
    bar.append(up, down, comment);
    return bar;
  }

  function sendFeedback(answerId, value, comment, bar, done) {
    fetch(API + "/feedback", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({id: answerId, rating: value, comment: comment})
    }).then(function (response) {
      if (!response.ok) return failure(response).then(function (reason) { throw new Error(reason); });
      if (done) done();
    }).catch(function (error) {
      bar.appendChild(el("span", "error", t("error", {reason: reasonOf(error)})));
    });
  }

  /* What to tell the visitor: the API's message, or that the service cannot be reached (a
     network error, or a page not among the allowed origins: fetch says only TypeError then). */
  function reasonOf(error) {
    return (error instanceof TypeError || !error.message) ? TEXT.unreachable : error.message;
  }

  function failure(response) {
    return response.json().then(function (body) {
      return (body && body.error && body.error.message) || response.statusText;
    }, function () { return response.status + " " + response.statusText; });
  }

  function ask(question) {
    log.appendChild(el("div", "q", question));
    var box = el("div", "a");
    box.appendChild(el("span", "muted", TEXT.thinking));
    log.appendChild(box);
    scrollDown();
    send.disabled = true;
    var messages = history.slice(-HISTORY_MESSAGES).concat([{role: "user", content: question}]);
    var streamed = "";
    var finished = false;

    function onEvent(data) {
      if (data === "[DONE]") return;
      var chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message);
      var choice = chunk.choices && chunk.choices[0];
      if (choice && choice.delta && choice.delta.content) {
        streamed += choice.delta.content;
        box.textContent = "";
        box.appendChild(el("div", "text pending", streamed));
      }
      if (choice && choice.finish_reason) {
        var text = chunk.message ? chunk.message.content : streamed;
        showAnswer(box, {id: chunk.id, text: text, citations: chunk.citations, mode: chunk.mode,
                         notices: chunk.notices});
        history.push({role: "user", content: question}, {role: "assistant", content: text});
        finished = true;
      }
      scrollDown();
    }

    fetch(API + "/chat/completions", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({model: "county-rag", messages: messages, stream: true, user: session})
    }).then(function (response) {
      if (!response.ok) return failure(response).then(function (reason) { throw new Error(reason); });
      return readEvents(response.body.getReader(), onEvent);
    }).then(function () {
      if (!finished) throw new Error(TEXT.unreachable);
    }).catch(function (error) {
      box.textContent = "";
      box.appendChild(el("div", "error", t("error", {reason: reasonOf(error)})));
    }).then(function () {
      send.disabled = false;
      scrollDown();
    });
  }

  /* Server-sent events from a fetch body: each `data:` payload handed to onEvent. */
  function readEvents(reader, onEvent) {
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (step) {
        buffer += decoder.decode(step.value || new Uint8Array(), {stream: !step.done});
        var events = buffer.split(/\r?\n\r?\n/);
        buffer = step.done ? "" : events.pop();
        events.forEach(function (event) {
          var data = event.split(/\r?\n/).filter(function (line) { return line.indexOf("data:") === 0; })
            .map(function (line) { return line.slice(5).replace(/^ /, ""); }).join("\n");
          if (data) onEvent(data);
        });
        return step.done ? null : pump();
      });
    }
    return pump();
  }
})();
