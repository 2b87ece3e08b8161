/* Keyboard shortcuts for the agent console, the reply box's tools (canned replies, Help
   Center links) inserted at the cursor, and SLA countdowns that move on as time passes. Plain
   JavaScript; every page works without it.

   The convention (docs/agent-console.md, "Keyboard shortcuts"), for any part of the console:
   - An element with data-key="r" is used by the key r: a field is focused, a link or button is
     clicked, anything else (a section, a form) has its first text box or field focused.
     data-key="g q" is a sequence: g, then q. data-key-label is the help overlay's wording.
   - Keys do nothing while typing in a field, except Esc (leave the field) and Ctrl+Enter or
     Cmd+Enter (send the form of the field).
   - j / k move between rows marked data-queue-row, Enter opens the selected one.
   - / focuses the element with data-key="/" (or the page's first search box).
   - ? shows the help: the keys present on this page, with their labels. */
(function () {
  "use strict";

  var SEQUENCE_MS = 1500;
  var NOT_TYPING = { button: 1, submit: 1, reset: 1, checkbox: 1, radio: 1, file: 1, image: 1 };
  var pending = "";
  var pendingTimer = null;

  function isTyping(node) {
    if (!node || node.nodeType !== 1) { return false; }
    if (node.isContentEditable) { return true; }
    var tag = node.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    return tag === "INPUT" && !NOT_TYPING[(node.type || "").toLowerCase()];
  }

  function visible(node) {
    return !!(node.offsetWidth || node.offsetHeight || node.getClientRects().length) &&
      !node.closest("[hidden], dialog:not([open])");
  }

  function keyName(value) {
    return (value || "").trim().replace(/\s+/g, " ");
  }

  function elementsWithKeys() {
    var found = [];
    var nodes = document.querySelectorAll("[data-key]");
    for (var i = 0; i < nodes.length; i++) {
      if (visible(nodes[i]) && !nodes[i].disabled) { found.push(nodes[i]); }
    }
    return found;
  }

  function elementFor(key) {
    var nodes = elementsWithKeys();
    for (var i = 0; i < nodes.length; i++) {
      if (keyName(nodes[i].getAttribute("data-key")) === key) { return nodes[i]; }
    }
    return null;
  }

  function firstField(container) {
    return container.querySelector("textarea:not([disabled])") ||
      container.querySelector(
        "input:not([type=hidden]):not([disabled]), select:not([disabled]), button:not([disabled])"
      );
  }

  function use(node) {
    if (isTyping(node)) {
      node.focus();
      if (node.select && node.type === "search") { node.select(); }
    } else if (node.matches("a[href], button, summary, input, [role=button]")) {
      node.click();
    } else {
      var field = firstField(node);
      if (field) {
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    }
  }

  /* --- Queue rows ------------------------------------------------------------------------ */
  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-queue-row]"), visible);
  }

  function moveRow(step) {
    var list = rows();
    if (!list.length) { return false; }
    var index = -1;
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains("is-selected")) { index = i; }
      list[i].classList.remove("is-selected");
    }
    index = index < 0 ? (step > 0 ? 0 : list.length - 1)
      : Math.min(list.length - 1, Math.max(0, index + step));
    var row = list[index];
    row.classList.add("is-selected");
    var link = row.querySelector("a[href]");
    if (link) {
      link.focus();
    } else {
      row.tabIndex = -1;
      row.focus();
    }
    row.scrollIntoView({ block: "nearest" });
    return true;
  }

  function openSelectedRow() {
    var row = document.querySelector("[data-queue-row].is-selected");
    var link = row && row.querySelector("a[href]");
    if (!link) { return false; }
    link.click();
    return true;
  }

  /* --- Help overlay ---------------------------------------------------------------------- */
  function kbd(text) {
    var node = document.createElement("kbd");
    node.textContent = text;
    return node;
  }

  function showHelp() {
    var dialog = document.getElementById("console-keys");
    if (!dialog || !dialog.showModal) { return; }
    var body = dialog.querySelector("[data-console-keys-page]");
    body.textContent = "";
    var seen = {};
    elementsWithKeys().forEach(function (node) {
      var key = keyName(node.getAttribute("data-key"));
      if (key === "/" || seen[key]) { return; }
      seen[key] = true;
      var row = document.createElement("tr");
      var keys = document.createElement("td");
      key.split(" ").forEach(function (part, index) {
        if (index) { keys.appendChild(document.createTextNode(" ")); }
        keys.appendChild(kbd(part));
      });
      var label = document.createElement("td");
      label.textContent = node.getAttribute("data-key-label") ||
        node.getAttribute("aria-label") || (node.textContent || "").trim();
      row.appendChild(keys);
      row.appendChild(label);
      body.appendChild(row);
    });
    var fixed = dialog.querySelectorAll("[data-needs]");
    for (var i = 0; i < fixed.length; i++) {
      fixed[i].hidden = !document.querySelector(fixed[i].getAttribute("data-needs"));
    }
    dialog.showModal();
  }

  /* --- Keys ------------------------------------------------------------------------------ */
  function sendForm(field) {
    var form = field.form || field.closest("form");
    if (!form) { return false; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function search() {
    var box = elementFor("/") || Array.prototype.filter.call(
      document.querySelectorAll("input[type=search]"), visible)[0];
    if (!box) { return false; }
    use(box);
    return true;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.isComposing || event.keyCode === 229) { return; }
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && sendForm(target)) {
        event.preventDefault();
      } else if (event.key === "Escape" && !target.closest("dialog")) {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (document.querySelector("dialog[open]")) { return; }
    var key = event.key;
    if (key === "Enter") {
      if (!target.matches("a[href], button, summary, input") && openSelectedRow()) {
        event.preventDefault();
      }
      return;
    }
    if (key.length !== 1) { return; }
    var handled = false;
    if (pending) {
      var sequence = pending + " " + key;
      pending = "";
      clearTimeout(pendingTimer);
      var node = elementFor(sequence);
      if (node) { use(node); handled = true; }
    } else if (key === "?") {
      showHelp();
      handled = true;
    } else if (key === "/") {
      handled = search();
    } else if (key === "j" || key === "k") {
      handled = moveRow(key === "j" ? 1 : -1);
    }
    if (!handled && !pending) {
      var single = elementFor(key);
      if (single) {
        use(single);
        handled = true;
      } else if (/^[a-z0-9]$/i.test(key) && document.querySelector("[data-key^='" + key + " ']")) {
        pending = key;
        pendingTimer = setTimeout(function () { pending = ""; }, SEQUENCE_MS);
        handled = true;
      }
    }
    if (handled) { event.preventDefault(); }
  }

  /* --- The reply box's tools ------------------------------------------------------------- */
  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    // The inserted text stands on its own lines, wherever the cursor was.
    var lead = before && before.slice(-1) !== "\n" ? "\n" : "";
    var tail = after && after.charAt(0) !== "\n" ? "\n" : "";
    textarea.focus();
    textarea.setRangeText(lead + text + tail, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpComposer(box) {
    var form = box.closest("form");
    var textarea = form && form.querySelector("textarea[name=body]");
    if (!textarea || !window.fetch) { return; }
    var canned = box.querySelector("#composer-canned");
    var query = box.querySelector("#composer-article-query");
    var results = box.querySelector("#composer-article-results");
    var timer = null;
    var latest = 0;

    function insertCanned() {
      var option = canned.options[canned.selectedIndex];
      if (!option || !option.value) { return; }
      insertAtCursor(textarea, option.getAttribute("data-insert") || "");
      canned.selectedIndex = 0;
    }

    function note(text) {
      results.textContent = "";
      var item = document.createElement("li");
      item.className = "muted composer__none";
      item.textContent = text;
      results.appendChild(item);
    }

    function show(articles) {
      if (!articles.length) { note(box.getAttribute("data-text-none")); return; }
      results.textContent = "";
      articles.forEach(function (article) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--small button--secondary composer__article";
        button.setAttribute("data-insert", article.text);
        button.textContent = article.title;
        var url = document.createElement("span");
        url.className = "muted composer__url";
        url.textContent = article.url;
        item.appendChild(button);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(url);
        results.appendChild(item);
      });
    }

    function find() {
      clearTimeout(timer);
      var text = query.value.trim();
      if (!text) { results.textContent = ""; return; }
      var mine = ++latest;
      fetch(box.getAttribute("data-search-url") + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (mine !== latest) { return; }
          if (!response.ok) { note(data.message || box.getAttribute("data-text-error")); return; }
          show(data.articles || []);
        });
      }).catch(function () {
        if (mine === latest) { note(box.getAttribute("data-text-error")); }
      });
    }

    box.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !box.contains(button)) { return; }
      if (button.hasAttribute("data-composer-canned")) {
        event.preventDefault();
        insertCanned();
      } else if (button.hasAttribute("data-composer-find")) {
        event.preventDefault();
        find();
      } else if (button.hasAttribute("data-insert")) {
        event.preventDefault();
        insertAtCursor(textarea, button.getAttribute("data-insert"));
      }
    });
    if (canned) {
      canned.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();
          insertCanned();
        }
      });
    }
    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(find, 250);
    });
    query.addEventListener("keydown", function (event) {
      if (event.isComposing || event.keyCode === 229) { return; }
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        find();
      } else if (event.key === "ArrowDown") {
        var first = results.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
  }

  /* --- SLA countdowns --------------------------------------------------------------------
     Each [data-sla-countdown] that carries data-sla-words (a paused one does not) is written
     again every 30 s, as templatetags/sla.py wrote it: the time left counts from when the page
     (or the live update that replaced the element) arrived, so the agent's clock may be off.
     The words come from the element, in the page's language. */
  var COUNTDOWN_MS = 30000;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  function durationWords(ms, words) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) { return fill(words.days, { days: days, hours: hours }); }
    if (hours) { return fill(words.hours, { hours: hours, minutes: minutes }); }
    if (minutes) { return fill(words.minutes, { minutes: minutes }); }
    return words.less;
  }

  function tickCountdown(node) {
    var words;
    try { words = JSON.parse(node.getAttribute("data-sla-words")); } catch (error) { return; }
    if (node.slaSeenAt === undefined) { node.slaSeenAt = Date.now(); }
    var left = Number(node.getAttribute("data-sla-remaining-ms")) - (Date.now() - node.slaSeenAt);
    var before = node.getAttribute("data-sla-state");
    var state = "ok";
    if (left <= 0) {
      state = "breached";
    } else if (left <= Number(node.getAttribute("data-sla-warn-ms")) || before === "warning") {
      state = "warning";  // a target already warned about stays so, as on the server
    }
    var time = node.querySelector("time") || node;
    time.textContent = state === "breached" ?
      fill(words.breached, { ago: durationWords(left, words) }) :
      fill(words.due, { left: durationWords(left, words) });
    if (state !== before) {
      node.classList.remove("sla-countdown--" + before, "badge--" + words.badges[before]);
      node.classList.add("sla-countdown--" + state, "badge--" + words.badges[state]);
      node.setAttribute("data-sla-state", state);
    }
  }

  function countdowns() {
    return document.querySelectorAll("[data-sla-countdown][data-sla-words]");
  }

  function tickCountdowns() {
    var nodes = countdowns();
    for (var i = 0; i < nodes.length; i++) { tickCountdown(nodes[i]); }
  }

  function noteArrivals() {
    // A countdown a live update put in counts from now, not from the next tick.
    var nodes = countdowns();
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].slaSeenAt === undefined) { nodes[i].slaSeenAt = Date.now(); }
    }
  }

  document.addEventListener("keydown", onKey);
  var composers = document.querySelectorAll("[data-composer]");
  for (var i = 0; i < composers.length; i++) { setUpComposer(composers[i]); }
  tickCountdowns();
  setInterval(tickCountdowns, COUNTDOWN_MS);
  new MutationObserver(noteArrivals).observe(document.body, { childList: true, subtree: true });
})();
