/* The agent's queue reloads its rows when a ticket of the agent's groups changes.
 *
 * The socket (madoguchi/tickets/consumers.py, QueueRoomConsumer) only says "ticket N changed";
 * the page then fetches itself again (same address, so the same filters, access checks and
 * query guards) and puts the fresh queue in place, marking rows it had not shown. While the
 * agent is typing in a filter or has ticked rows, the fresh queue waits behind a button. A
 * refresh every minute, while the tab is visible, covers what no push reaches (another process
 * on the in-memory channel layer, a group joined since the page opened).
 */
(function () {
  "use strict";

  var box = document.getElementById("queue-live");
  if (!box || !window.WebSocket || !window.fetch || !window.DOMParser) return;

  var showButton = box.querySelector(".agent-queue-live__show");
  var REFRESH = 60000;
  var MAX_DELAY = 30000;
  var delay = 1000;
  var lastRefresh = Date.now();
  var pending = null;
  var timer = null;
  var stopped = false;
  var socket = null;

  function busy() {
    var queue = document.querySelector(".agent-queue");
    if (!queue) return false;
    var active = document.activeElement;
    if (active && queue.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
      return true;
    }
    return queue.querySelector("input[type=checkbox]:checked") !== null;
  }

  function swap(fresh) {
    var current = document.querySelector(".agent-queue");
    box.hidden = true;
    pending = null;
    if (!current || !fresh) return;
    var shown = {};
    current.querySelectorAll("[data-queue-row]").forEach(function (row) {
      shown[row.dataset.ticket] = true;
    });
    var selected = current.querySelector("[data-queue-row].is-selected");
    var selectedId = selected ? selected.dataset.ticket : null;
    var node = document.importNode(fresh, true);
    current.replaceWith(node);
    node.querySelectorAll("[data-queue-row]").forEach(function (row) {
      if (!shown[row.dataset.ticket]) row.classList.add("agent-queue__row--new");
      if (row.dataset.ticket === selectedId) row.classList.add("is-selected");
    });
  }

  function refresh() {
    lastRefresh = Date.now();
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.querySelector(".agent-queue");
        if (busy()) {
          pending = fresh;
          box.hidden = false;
        } else {
          swap(fresh);
        }
      })
      .catch(function () {});
  }

  // Several tickets changing at once (intake writes a few entries, bulk actions many) make one fetch.
  function schedule() {
    if (timer) return;
    timer = window.setTimeout(function () {
      timer = null;
      refresh();
    }, 300);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + box.dataset.liveSocket);
    socket.addEventListener("open", function () {
      delay = 1000;
    });
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "changed") schedule();
    });
    socket.addEventListener("close", function () {
      if (stopped) return;
      var wait = delay * (0.75 + Math.random() / 2);
      delay = Math.min(delay * 2, MAX_DELAY);
      window.setTimeout(connect, wait);
    });
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close(1000);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    stopped = false;
    connect();
  });
  showButton.addEventListener("click", function () {
    swap(pending);
  });
  window.setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastRefresh >= REFRESH) refresh();
  }, 5000);
  connect();
})();
