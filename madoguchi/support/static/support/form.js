/* The support form, a little quicker: articles suggested while the subject is typed (and
   which were shown and opened, for the ticket), addresses and TxIDs checked as they are
   pasted, networks narrowed to the coin. Without this script the form works the same; the
   server checks everything again and is the authority. */
(function () {
  "use strict";

  var form = document.getElementById("support-form");
  if (!form || !window.fetch) { return; }
  var language = form.dataset.language || "ja";
  var records = document.getElementById("suggestion-records");
  var rulesNode = document.getElementById("network-rules");
  var rules = rulesNode ? JSON.parse(rulesNode.textContent) : {};

  function recorded(name, path) {
    var inputs = records.querySelectorAll("input[name=" + name + "]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value === path) { return true; }
    }
    return false;
  }

  function record(name, path) {
    if (!path || recorded(name, path)) { return; }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = path;
    records.appendChild(input);
  }

  /* --- Suggestions ---------------------------------------------------------------------- */
  var subject = form.querySelector("[data-suggest=subject]");
  var box = document.getElementById("suggestions");
  var list = box && box.querySelector(".suggestions__list");
  var timer = null;
  var latest = 0;

  function show(suggestions) {
    if (!suggestions.length) { return; }
    list.textContent = "";
    suggestions.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "suggestion";
      var link = document.createElement("a");
      link.className = "suggestion__link";
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.dataset.suggestion = item.url;
      link.textContent = item.title;
      link.title = form.dataset.textNewTab || "";
      var solved = document.createElement("button");
      solved.type = "submit";
      solved.className = "button button--small button--secondary suggestion__solved";
      solved.setAttribute("form", "deflection-form");
      solved.name = "article";
      solved.value = item.url;
      solved.textContent = form.dataset.textSolved;
      li.appendChild(link);
      li.appendChild(solved);
      list.appendChild(li);
      record("suggestion_shown", item.url);
    });
    box.hidden = false;
  }

  function suggest() {
    var text = subject.value.trim();
    if (text.length < 2) { return; }
    var ticket = ++latest;
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { suggestions: [] };
    }).then(function (data) {
      if (ticket === latest) { show(data.suggestions || []); }
    }).catch(function () { /* suggestions are a help, never a blocker */ });
  }

  if (subject && box && list) {
    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 350);
    });
    function opened(event) {
      var link = event.target.closest && event.target.closest("a[data-suggestion]");
      if (link) { record("suggestion_opened", link.dataset.suggestion); }
    }
    box.addEventListener("click", opened);
    box.addEventListener("auxclick", opened);
  }

  /* --- Crypto checks -------------------------------------------------------------------- */
  var network = form.querySelector("select[data-check=network]");
  var coin = form.querySelector("input[data-check=coin]");
  var memo = form.querySelector("input[data-check=memo]");

  function resultNode(input) {
    var id = input.id + "_check";
    var node = document.getElementById(id);
    if (!node) {
      node = document.createElement("p");
      node.id = id;
      node.className = "check-result";
      node.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", node);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    return node;
  }

  function say(input, text, valid) {
    var node = resultNode(input);
    node.textContent = text || "";
    node.hidden = !text;
    node.className = "check-result " + (valid ? "check-result--valid" : "check-result--invalid");
    if (valid) { input.removeAttribute("aria-invalid"); } else { input.setAttribute("aria-invalid", "true"); }
  }

  function check(input) {
    var kind = input.dataset.check;
    var value = input.value.trim();
    if (!network || !network.value || !value) { say(input, "", true); return; }
    var sent = value + "|" + network.value;
    input.dataset.checking = sent;
    fetch(form.dataset.validateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": language },
      body: JSON.stringify({ network: network.value, kind: kind, value: value })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer && input.dataset.checking === sent) { say(input, answer.message, answer.valid); }
    }).catch(function () { /* the server checks again on sending */ });
  }

  var pasted = form.querySelectorAll("input[data-check=address], input[data-check=txid]");
  Array.prototype.forEach.call(pasted, function (input) {
    input.addEventListener("change", function () { check(input); });
  });

  function narrowNetworks() {
    if (!network) { return; }
    var symbol = coin ? coin.value.trim().toUpperCase() : "";
    var known = Object.keys(rules).some(function (id) { return rules[id].coins.indexOf(symbol) >= 0; });
    Array.prototype.forEach.call(network.options, function (option) {
      var rule = rules[option.value];
      var carries = !rule || !known || rule.coins.indexOf(symbol) >= 0;
      // The chosen one stays, even when it does not fit: the server then says why.
      option.hidden = !carries && !option.selected;
    });
  }

  function memoHint() {
    if (!memo || !network) { return; }
    var rule = rules[network.value];
    var text = rule && rule.memo_required ? form.dataset.textMemoNeeded + " (" + rule.memo + ")" : "";
    say(memo, text, true);
  }

  if (coin) { coin.addEventListener("input", narrowNetworks); narrowNetworks(); }
  if (network) {
    network.addEventListener("change", function () {
      Array.prototype.forEach.call(pasted, function (input) { if (input.value) { check(input); } });
      memoHint();
    });
    memoHint();
  }

  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
