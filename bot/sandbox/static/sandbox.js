// callback-tracker sandbox: the chat page. Plain JavaScript, no build step.
//
// Everything the bot wrote is rendered from the emulator's parsed text and entities with
// DOM methods (textContent / createElement): no HTML from a message ever reaches innerHTML.
"use strict";

const $ = (id) => document.getElementById(id);

const state = {
  bot: null,
  people: [],
  group: null,
  me: null, // user id
  chatId: null, // current chat: the user's id (private) or the group's id
  seq: 0, // emulator change counter seen so far
  stores: new Map(), // chat id -> Map(message id -> message)
  unread: new Map(), // chat id -> count
  actions: {}, // chat id (string) -> bot chat action shown now
  commands: [],
  replyTo: null, // message the next text replies to
  clock: { epoch: 0, offset: 0, fetchedAt: 0 },
  generation: 0, // bumps when the identity changes: older polls stop
  controller: null,
  online: true,
  nodes: new Map(), // render key -> DOM node, reused so images do not reload
  runId: String(Date.now()),
};

const ACTION_WORDS = {
  typing: "typing…",
  upload_photo: "sending a photo…",
  upload_document: "sending a file…",
  find_location: "choosing a location…",
};
const NAME_COLORS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

// ---------------------------------------------------------------- helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = body === undefined
    ? {}
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function person(id) {
  return state.people.find((p) => p.id === id) || null;
}

function isGroup(chatId) {
  return state.group && chatId === state.group.id;
}

function store(chatId) {
  let messages = state.stores.get(chatId);
  if (!messages) {
    messages = new Map();
    state.stores.set(chatId, messages);
  }
  return messages;
}

function sorted(chatId) {
  return [...store(chatId).values()].sort((a, b) => a.id - b.id);
}

function sandboxNow() {
  return state.clock.epoch + (Date.now() - state.clock.fetchedAt) / 1000;
}

function formatTime(epoch) {
  return new Date(epoch * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function dayKey(epoch) {
  const d = new Date(epoch * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function formatDay(epoch) {
  const key = dayKey(epoch);
  if (key === dayKey(sandboxNow())) return "Today";
  if (key === dayKey(sandboxNow() - 86400)) return "Yesterday";
  return new Date(epoch * 1000).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function nameColor(id) {
  return NAME_COLORS[Math.abs(id) % NAME_COLORS.length];
}

function preview(message) {
  if (message.service) return message.service;
  const body = message.text ?? message.caption ?? "";
  if (message.photo) return body ? `🖼 ${body}` : "🖼 Photo";
  if (message.document) return `📄 ${message.document.name}`;
  return body;
}

let toastTimer = null;
function toast(text, ms = 2600) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, ms);
}

function alertBox(text) {
  $("modal-text").textContent = text;
  $("modal").hidden = false;
  $("modal-ok").focus();
}

// ---------------------------------------------------------------- links and entities

// A t.me link to this bot with ?start=... is a deep link: the sandbox follows it the way
// Telegram would (open the private chat and send /start <payload>).
function deepLink(url) {
  try {
    const parsed = new URL(url);
    const username = state.bot ? state.bot.username.toLowerCase() : "";
    if (parsed.protocol === "tg:" && parsed.hostname === "resolve") {
      const domain = (parsed.searchParams.get("domain") || "").toLowerCase();
      if (domain === username) return { start: parsed.searchParams.get("start") || "" };
    }
    if ((parsed.protocol === "https:" || parsed.protocol === "http:")
        && ["t.me", "telegram.me"].includes(parsed.hostname)
        && parsed.pathname.replace(/^\//, "").toLowerCase() === username) {
      return { start: parsed.searchParams.get("start") || "" };
    }
  } catch (_) { /* not a URL */ }
  return null;
}

function safeHref(url) {
  try {
    const parsed = new URL(url, location.href);
    if (["http:", "https:", "mailto:"].includes(parsed.protocol)) return parsed.href;
  } catch (_) { /* ignore */ }
  return null;
}

function openLink(url) {
  const link = deepLink(url);
  if (link) {
    openChat(state.me);
    sendText(link.start ? `/start ${link.start}` : "/start");
    return;
  }
  const href = safeHref(url);
  if (href) window.open(href, "_blank", "noopener,noreferrer");
  else toast(`The sandbox does not open ${url}`);
}

function linkNode(url, className) {
  const a = el("a", className);
  const href = deepLink(url) ? "#" : safeHref(url);
  if (href) a.href = href;
  a.rel = "noopener noreferrer";
  a.target = "_blank";
  a.addEventListener("click", (event) => { event.preventDefault(); openLink(url); });
  return a;
}

function entityNode(entity, slice) {
  switch (entity.type) {
    case "bold": return el("strong");
    case "italic": return el("em");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": {
      const pre = el("pre");
      const code = el("code");
      if (entity.language) code.dataset.language = entity.language;
      pre.append(code);
      return { outer: pre, inner: code };
    }
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const span = el("span", "spoiler");
      span.title = "Spoiler: click to show";
      span.addEventListener("click", () => span.classList.add("revealed"));
      return span;
    }
    case "text_link": return linkNode(entity.url || "", "");
    case "url": return linkNode(/^[a-z]+:/i.test(slice) ? slice : `https://${slice}`, "");
    case "email": {
      const a = el("a");
      a.href = `mailto:${slice}`;
      return a;
    }
    case "bot_command": {
      const a = el("a", "command");
      a.href = "#";
      a.addEventListener("click", (event) => { event.preventDefault(); sendText(slice); });
      return a;
    }
    case "mention":
    case "text_mention":
    case "hashtag":
    case "cashtag": return el("span", "mention");
    default: return el("span");
  }
}

// Telegram clients also link what the sender did not mark up: /commands and web addresses.
const AUTO_LINK = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'"])|(^|[\s(])(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,})?)(?=$|[\s.,;:!?)])/g;
const NO_AUTO_LINK = new Set(["code", "pre", "text_link", "url", "email", "bot_command", "mention", "text_mention"]);

function appendPlain(parent, text, autoLink) {
  if (!autoLink) {
    parent.append(text);
    return;
  }
  let pos = 0;
  for (const match of text.matchAll(AUTO_LINK)) {
    const [whole, url, lead, command] = match;
    const start = match.index + (url ? 0 : lead.length);
    if (start > pos) parent.append(text.slice(pos, start));
    if (url) {
      const a = linkNode(url, "");
      a.textContent = url;
      parent.append(a);
    } else {
      const a = entityNode({ type: "bot_command" }, command);
      a.textContent = command;
      parent.append(a);
    }
    pos = match.index + whole.length;
  }
  if (pos < text.length) parent.append(text.slice(pos));
}

// Entities come from Telegram-style parsing: offsets and lengths in UTF-16 code units, which
// is exactly how JavaScript strings index, and properly nested.
function renderText(text, entities) {
  const root = document.createDocumentFragment();
  const list = (entities || [])
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .map((e) => ({ ...e, end: Math.min(e.offset + e.length, text.length) }))
    .sort((a, b) => a.offset - b.offset || b.end - a.end);

  function build(parent, start, end, items, autoLink) {
    let pos = start;
    let i = 0;
    while (i < items.length) {
      const entity = items[i];
      const from = Math.max(entity.offset, pos);
      const to = Math.min(entity.end, end);
      const children = [];
      let j = i + 1;
      while (j < items.length && items[j].offset < entity.end) {
        children.push(items[j]);
        j += 1;
      }
      if (from < to) {
        if (from > pos) appendPlain(parent, text.slice(pos, from), autoLink);
        const made = entityNode(entity, text.slice(from, to));
        const outer = made.outer || made;
        build(made.inner || made, from, to, children, autoLink && !NO_AUTO_LINK.has(entity.type));
        parent.append(outer);
        pos = to;
      }
      i = j;
    }
    if (pos < end) appendPlain(parent, text.slice(pos, end), autoLink);
  }

  build(root, 0, text.length, list, true);
  return root;
}

// ---------------------------------------------------------------- rendering messages

function quoteNode(message) {
  const replied = store(message.chat).get(message.reply_to);
  if (!replied || replied.deleted) return null;
  const quote = el("div", "quote");
  const name = replied.sender.bot ? state.bot.name : replied.sender.name;
  quote.append(el("div", "quote-name", name), el("div", "quote-text", preview(replied)));
  quote.addEventListener("click", () => flash(replied.id));
  return quote;
}

function senderNode(message) {
  if (!isGroup(message.chat) || message.outgoing && message.sender.id === state.me) return null;
  const name = el("div", "sender", message.sender.bot ? state.bot.name : message.sender.name);
  name.style.color = message.sender.bot ? "#3390ec" : nameColor(message.sender.id);
  return name;
}

function metaNode(message) {
  const line = el("div", "meta-line");
  const parts = [];
  if (message.edited) parts.push("edited");
  parts.push(formatTime(message.date));
  let text = parts.join(" ");
  if (message.outgoing && message.sender.id === state.me) text += " ✓✓";
  line.append(el("span", "meta", text));
  return line;
}

function photoNode(message) {
  const img = el("img", "photo");
  img.src = `${message.photo.url}?run=${state.runId}`;
  img.alt = message.caption || "Photo";
  img.loading = "lazy";
  if (message.photo.width && message.photo.height) {
    img.width = message.photo.width;
    img.height = message.photo.height;
  }
  img.addEventListener("load", keepBottom);
  img.addEventListener("click", () => {
    $("lightbox-img").src = img.src;
    $("lightbox").hidden = false;
  });
  return img;
}

function documentNode(message) {
  const doc = message.document;
  const box = el("div", "doc");
  const extension = (doc.name.split(".").pop() || "file").slice(0, 4).toUpperCase();
  const icon = el("a", "doc-icon", extension);
  icon.href = `${doc.url}?run=${state.runId}`;
  icon.download = doc.name;
  icon.title = `Download ${doc.name}`;
  const info = el("div");
  const size = el("div", "doc-size", formatSize(doc.size));
  const link = el("a", "doc-download", "Download");
  link.href = icon.href;
  link.download = doc.name;
  size.append(link);
  info.append(el("div", "doc-name", doc.name), size);
  box.append(icon, info);
  return box;
}

function keyboardNode(message) {
  if (!message.buttons.length) return null;
  const keyboard = el("div", "keyboard");
  for (const row of message.buttons) {
    const line = el("div", "kb-row");
    for (const button of row) {
      const node = el("button", "kb-button", button.text);
      node.type = "button";
      if (button.url) {
        node.append(el("span", "corner", "↗"));
        node.title = button.url;
        node.addEventListener("click", () => openLink(button.url));
      } else if (button.callback_data !== undefined) {
        node.addEventListener("click", () => press(message, button.callback_data, node));
      } else {
        node.disabled = true;
      }
      line.append(node);
    }
    keyboard.append(line);
  }
  return keyboard;
}

// One message, or an album (several photos sent together), as a row with its bubble.
function rowNode(group) {
  const first = group[0];
  const mine = first.outgoing && first.sender.id === state.me;
  const row = el("div", mine ? "row out" : "row in");
  row.dataset.id = String(first.id);
  for (const m of group) row.dataset[`m${m.id}`] = "1";
  const bubble = el("div", "bubble");
  const sender = senderNode(first);
  const quote = first.reply_to ? quoteNode(first) : null;
  const withCaption = group.find((m) => m.caption);
  const photos = group.filter((m) => m.photo);

  if (photos.length) {
    bubble.classList.add("media");
    if (sender) bubble.append(sender);
    if (photos.length === 1) {
      bubble.classList.add("single-photo");
      bubble.append(photoNode(photos[0]));
    } else {
      const album = el("div", `album n${photos.length}`);
      for (const m of photos) album.append(photoNode(m));
      bubble.append(album);
    }
    if (withCaption) {
      const body = el("div", "body");
      body.append(renderText(withCaption.caption, withCaption.caption_entities));
      bubble.append(body);
    } else {
      bubble.classList.add("bare");
    }
  } else {
    if (sender) bubble.append(sender);
    if (quote) bubble.append(quote);
    for (const m of group) {
      if (m.document) bubble.append(documentNode(m));
    }
    const text = first.text ?? first.caption;
    if (text) {
      const body = el("div", "body");
      body.append(renderText(text, first.text != null ? first.entities : first.caption_entities));
      bubble.append(body);
    }
  }
  bubble.append(metaNode(group[group.length - 1]));
  bubble.addEventListener("dblclick", () => setReply(first));
  row.append(bubble);
  const keyboard = keyboardNode(first);
  if (keyboard) {
    row.classList.add("has-kb");
    row.append(keyboard);
  }
  return row;
}

function groups(messages) {
  const result = [];
  for (const m of messages) {
    const last = result[result.length - 1];
    if (m.album && last && last[0].album === m.album) last.push(m);
    else result.push([m]);
  }
  return result;
}

function renderMessages() {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const messages = sorted(state.chatId).filter((m) => !m.deleted);
  const nodes = [];
  const keep = new Map();
  let day = null;
  if (!messages.length) {
    const empty = el("div", "empty-chat");
    if (isGroup(state.chatId)) {
      empty.append(el("strong", null, "No messages here yet"), "Write a call log, e.g. “called Acme, no answer”, or pick a command from the Menu.");
    } else {
      empty.append(el("strong", null, "Callback Tracker"), "Logs your calls to companies and the callbacks they promise — then reminds you when they don’t call. Press START.");
    }
    nodes.push(empty);
  }
  for (const group of groups(messages)) {
    const first = group[0];
    const key = dayKey(first.date);
    if (key !== day) {
      day = key;
      nodes.push(el("div", "date-pill", formatDay(first.date)));
    }
    if (first.service) {
      nodes.push(el("div", "service", first.service));
      continue;
    }
    const renderKey = `${state.me}|${group.map((m) => `${m.id}.${m.seq}`).join(",")}|${first.reply_to ? store(state.chatId).get(first.reply_to)?.seq : ""}`;
    let node = state.nodes.get(renderKey);
    if (!node) node = rowNode(group);
    keep.set(renderKey, node);
    nodes.push(node);
  }
  state.nodes = keep;
  box.replaceChildren(...nodes);
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function keepBottom() {
  const box = $("messages");
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 400) box.scrollTop = box.scrollHeight;
}

function flash(messageId) {
  const row = [...$("messages").querySelectorAll(".row")].find((r) => r.dataset[`m${messageId}`]);
  if (!row) return;
  row.scrollIntoView({ block: "center" });
  row.classList.remove("flash");
  void row.offsetWidth;
  row.classList.add("flash");
}

// ---------------------------------------------------------------- header, sidebar, composer

function chatName(chatId) {
  return isGroup(chatId) ? state.group.title : state.bot.name;
}

function renderHeader() {
  const avatar = $("chat-avatar");
  const group = isGroup(state.chatId);
  avatar.className = group ? "avatar group" : "avatar bot";
  avatar.textContent = group ? "AT" : "📞";
  $("chat-title").textContent = chatName(state.chatId);
  const subtitle = $("chat-subtitle");
  const action = state.actions[String(state.chatId)];
  subtitle.className = "chat-subtitle";
  if (!state.online) {
    subtitle.textContent = "connecting…";
    subtitle.classList.add("offline");
  } else if (action) {
    const words = ACTION_WORDS[action] || `${action.replace(/_/g, " ")}…`;
    subtitle.textContent = group ? `${state.bot.name} is ${words}` : words;
    subtitle.classList.add("active");
  } else if (group) {
    subtitle.textContent = `${state.group.members.length + 1} members`;
  } else {
    subtitle.textContent = `bot · @${state.bot.username}`;
  }
}

function renderChatList() {
  const list = $("chat-list");
  const items = [state.me, state.group.id].map((chatId) => {
    const item = el("button", chatId === state.chatId ? "chat-item active" : "chat-item");
    item.type = "button";
    item.dataset.chat = String(chatId);
    const group = isGroup(chatId);
    const avatar = el("div", group ? "avatar group" : "avatar bot", group ? "AT" : "📞");
    const main = el("div", "chat-item-main");
    const top = el("div", "chat-item-top");
    const messages = sorted(chatId).filter((m) => !m.deleted);
    const last = messages[messages.length - 1];
    top.append(el("span", "chat-item-name", chatName(chatId)));
    if (last) top.append(el("span", "chat-item-time", formatTime(last.date)));
    let text = group
      ? `${state.people.map((p) => (p.admin ? `${p.name} (admin)` : p.name)).join(", ")} and the bot`
      : "Your private chat with the bot";
    if (last) {
      const who = isGroup(chatId) && !last.service
        ? `${last.sender.bot ? "Bot" : last.sender.id === state.me ? "You" : last.sender.name}: `
        : "";
      text = who + preview(last).replace(/\s+/g, " ");
    }
    if (state.actions[String(chatId)]) text = ACTION_WORDS[state.actions[String(chatId)]] || "…";
    main.append(top, el("div", "chat-item-preview", text));
    item.append(avatar, main);
    const unread = state.unread.get(chatId) || 0;
    if (unread && chatId !== state.chatId) item.append(el("span", "badge", String(unread)));
    item.addEventListener("click", () => openChat(chatId));
    return item;
  });
  list.replaceChildren(...items);
}

function renderComposer() {
  const empty = !isGroup(state.chatId) && sorted(state.chatId).length === 0;
  $("composer").hidden = empty;
  $("start-button").hidden = !empty;
  $("menu-button").hidden = state.commands.length === 0;
  const reply = state.replyTo;
  $("reply-bar").hidden = !reply;
  if (reply) {
    $("reply-bar-name").textContent = `Reply to ${reply.sender.bot ? state.bot.name : reply.sender.name}`;
    $("reply-bar-body").textContent = preview(reply);
  }
  $("input").placeholder = (reply && reply.placeholder) || "Message";
  $("send").disabled = !$("input").value.trim();
}

function renderClock() {
  const now = new Date(sandboxNow() * 1000);
  $("clock").textContent = now.toLocaleString("en-GB", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  const offset = Math.round(state.clock.offset);
  let text = "real time";
  if (offset > 0) {
    const days = Math.floor(offset / 86400);
    const hours = Math.floor((offset % 86400) / 3600);
    const minutes = Math.floor((offset % 3600) / 60);
    const parts = [];
    if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
    if (hours) parts.push(`${hours} h`);
    if (minutes && !days) parts.push(`${minutes} min`);
    text = `${parts.join(" ") || "<1 min"} ahead of real time`;
  }
  $("clock-offset").textContent = text;
}

function renderAll() {
  renderHeader();
  renderChatList();
  renderMessages();
  renderComposer();
}

function setReply(message) {
  if (!message || message.deleted || message.service) return;
  state.replyTo = message;
  renderComposer();
  $("input").focus();
}

// ---------------------------------------------------------------- commands menu

function showMenu(filter) {
  const menu = $("command-menu");
  const wanted = (filter || "").toLowerCase();
  const items = state.commands
    .filter((c) => !wanted || `/${c.command}`.startsWith(wanted))
    .map((c) => {
      const item = el("button", "command-item");
      item.type = "button";
      item.setAttribute("role", "option");
      item.append(el("span", "command-name", `/${c.command}`), el("span", "command-desc", c.description));
      item.addEventListener("click", () => {
        hideMenu();
        $("input").value = "";
        sendText(`/${c.command}`);
      });
      return item;
    });
  menu.replaceChildren(...items);
  menu.hidden = items.length === 0;
}

function hideMenu() {
  $("command-menu").hidden = true;
}

async function loadCommands() {
  try {
    const data = await api(`/api/commands?user=${state.me}&chat=${state.chatId}`);
    state.commands = data.commands;
  } catch (_) {
    state.commands = [];
  }
  renderComposer();
}

// ---------------------------------------------------------------- actions

async function sendText(text) {
  const value = text.trim();
  if (!value) return;
  const body = { user: state.me, chat: state.chatId, text: value };
  if (state.replyTo) body.reply_to = state.replyTo.id;
  state.replyTo = null;
  renderComposer();
  try {
    await api("/api/send", body);
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  } catch (error) {
    toast(`Not sent: ${error.message}`);
  }
}

async function press(message, data, node) {
  node.classList.add("loading");
  try {
    const result = await api("/api/press", { user: state.me, chat: message.chat, message_id: message.id, data });
    const answer = result.answer;
    if (answer && answer.text) {
      if (answer.show_alert) alertBox(answer.text);
      else toast(answer.text);
    }
  } catch (error) {
    toast(error.status === 409 ? "This button is no longer there." : `Button failed: ${error.message}`);
  } finally {
    node.classList.remove("loading");
  }
}

async function skip(seconds, label) {
  try {
    const data = await api("/api/clock", { seconds });
    setClock(data.clock);
    toast(`⏩ ${label}: the bot's clock now reads ${$("clock").textContent}`);
  } catch (error) {
    toast(`Could not move the clock: ${error.message}`);
  }
}

async function loadDemo() {
  const button = $("demo");
  button.disabled = true;
  button.textContent = "Loading…";
  try {
    const data = await api("/api/demo", {});
    markDemoLoaded();
    if (data.loaded) {
      toast(`Demo history loaded: ${data.calls} calls and ${data.promises} promises in Anna's chat and in Audit team. Try /report, /pending or /history Baltic Net.`, 6000);
    } else {
      toast("The demo history is already there. Try /report or /pending.");
    }
  } catch (error) {
    button.disabled = false;
    button.textContent = "Load demo history";
    toast(`Could not load the demo: ${error.message}`);
  }
}

function markDemoLoaded() {
  const button = $("demo");
  button.disabled = true;
  button.textContent = "Demo history loaded ✓";
  $("demo-hint").textContent = "In Anna's private chat and in Audit team. Try /report, /report month, /pending, /history Baltic Net, /export.";
}

function setClock(clock) {
  state.clock = { epoch: clock.epoch, offset: clock.offset_seconds, fetchedAt: Date.now() };
  renderClock();
}

// ---------------------------------------------------------------- identity and chats

function openChat(chatId) {
  if (chatId !== state.chatId) {
    state.chatId = chatId;
    state.replyTo = null;
    state.nodes = new Map();
    hideMenu();
    loadCommands();
  }
  state.unread.set(chatId, 0);
  document.getElementById("app").classList.remove("sidebar-open");
  renderAll();
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

function becomePerson(userId) {
  state.me = userId;
  const me = person(userId);
  $("who-about").textContent = me ? me.about : "";
  state.generation += 1;
  if (state.controller) state.controller.abort();
  state.seq = 0;
  state.stores = new Map();
  state.unread = new Map();
  state.actions = {};
  state.nodes = new Map();
  state.replyTo = null;
  state.chatId = isGroup(state.chatId) ? state.chatId : userId;
  loadCommands();
  renderAll();
  poll(state.generation);
}

function apply(data) {
  const first = state.seq === 0;
  for (const [key, messages] of Object.entries(data.chats)) {
    const chatId = Number(key);
    const messageStore = store(chatId);
    for (const message of messages) {
      const known = messageStore.has(message.id);
      messageStore.set(message.id, message);
      if (!known && !first && !message.deleted && chatId !== state.chatId
          && !(message.outgoing && message.sender.id === state.me)) {
        state.unread.set(chatId, (state.unread.get(chatId) || 0) + 1);
      }
      if (!known && !first && chatId === state.chatId && message.force_reply && !message.deleted) {
        const replied = message.reply_to && messageStore.get(message.reply_to);
        if (!isGroup(chatId) || (replied && replied.sender.id === state.me)) state.replyTo = message;
      }
      if (state.replyTo && state.replyTo.id === message.id && state.replyTo.chat === chatId) {
        state.replyTo = message.deleted ? null : message;
      }
    }
  }
  state.seq = data.seq;
  state.actions = data.actions;
  setClock(data.clock);
  renderAll();
}

async function poll(generation) {
  while (generation === state.generation) {
    const controller = new AbortController();
    state.controller = controller;
    const actions = Object.entries(state.actions).map(([c, a]) => `${c}:${a}`).join(",");
    const query = new URLSearchParams({
      user: String(state.me), since: String(state.seq), wait: state.seq ? "25" : "0", actions,
    });
    try {
      const data = await api(`/api/poll?${query}`);
      if (generation !== state.generation) return;
      if (!state.online) { state.online = true; }
      apply(data);
    } catch (error) {
      if (generation !== state.generation || controller.signal.aborted) return;
      if (state.online) { state.online = false; renderHeader(); }
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }
}

// ---------------------------------------------------------------- start

async function init() {
  const data = await api("/api/state");
  state.bot = data.bot;
  state.people = data.people;
  state.group = data.group;
  setClock(data.clock);
  if (data.demo_loaded) markDemoLoaded();
  const who = $("who");
  for (const p of state.people) {
    const option = el("option", null, `${p.name}${p.admin ? " — audit lead, group admin" : " — auditor"}`);
    option.value = String(p.id);
    who.append(option);
  }
  who.addEventListener("change", () => becomePerson(Number(who.value)));

  const input = $("input");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    input.style.height = "";
    hideMenu();
    sendText(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape") {
      hideMenu();
      if (state.replyTo) { state.replyTo = null; renderComposer(); }
    }
  });
  input.addEventListener("input", () => {
    input.style.height = "";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
    const value = input.value;
    if (/^\/\w*$/.test(value)) showMenu(value);
    else hideMenu();
    $("send").disabled = !value.trim();
  });
  $("menu-button").addEventListener("click", () => {
    if ($("command-menu").hidden) showMenu("");
    else hideMenu();
  });
  $("start-button").addEventListener("click", () => sendText("/start"));
  $("reply-cancel").addEventListener("click", () => { state.replyTo = null; renderComposer(); });
  for (const [id, seconds, label] of [
    ["skip-hour", 3600, "+1 hour"], ["skip-day", 86400, "+1 day"],
    ["skip-hour-2", 3600, "+1 hour"], ["skip-day-2", 86400, "+1 day"],
  ]) {
    $(id).addEventListener("click", () => skip(seconds, label));
  }
  $("demo").addEventListener("click", loadDemo);
  $("modal-ok").addEventListener("click", () => { $("modal").hidden = true; });
  $("lightbox").addEventListener("click", () => { $("lightbox").hidden = true; });
  $("open-sidebar").addEventListener("click", () => $("app").classList.add("sidebar-open"));
  $("close-sidebar").addEventListener("click", () => $("app").classList.remove("sidebar-open"));
  $("scrim").addEventListener("click", () => $("app").classList.remove("sidebar-open"));
  document.addEventListener("click", (event) => {
    if (!$("command-menu").hidden && !event.target.closest("#command-menu, #menu-button, #input")) hideMenu();
  });
  setInterval(renderClock, 1000);

  const first = new URLSearchParams(location.search).get("user");
  const start = state.people.some((p) => String(p.id) === first) ? Number(first) : state.people[0].id;
  who.value = String(start);
  state.chatId = start;
  becomePerson(start);
}

init().catch((error) => {
  document.body.textContent = `The sandbox page could not start: ${error.message}`;
});
