/* Live updates and collision warnings on the agent's ticket page.
 *
 * The socket (madoguchi/tickets/consumers.py) only says that the ticket changed and who else
 * has it open; what changed is fetched over HTTP from the live view, through the same access
 * check as the page, and put in place of the parts with the same data-live-part. Reconnects
 * with backoff; on every (re)connect the server says the newest history sequence, so a page
 * that was offline catches up. While the reply box has text, the page says "typing".
 */
(function () {
  "use strict";

  var root = document.getElementById("live");
  if (!root || !window.WebSocket || !window.fetch) return;

  var known = parseInt(root.dataset.liveSequence, 10) || 0;
  var presenceBox = root.querySelector(".agent-live__presence");
  var repliedBox = root.querySelector(".agent-live__replied");
  var offlineBox = root.querySelector(".agent-live__offline");
  var replyBox = document.getElementById("reply-body");
  var socket = null;
  var delay = 1000;
  var MAX_DELAY = 30000;
  var state = "viewing";
  var fetching = false;
  var again = false;
  var stopped = false;

  function text(template, name) {
    return template.replace("{name}", name);
  }

  function draftState() {
    return replyBox && replyBox.value.trim() ? "typing" : "viewing";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function showPresence(others) {
    presenceBox.textContent = "";
    others.forEach(function (person) {
      var line = document.createElement("p");
      line.className = "agent-live__person agent-live__person--" + person.state;
      var template = person.state === "typing" ? root.dataset.textTyping : root.dataset.textViewing;
      line.textContent = text(template, person.name);
      presenceBox.appendChild(line);
    });
    presenceBox.hidden = others.length === 0;
  }

  function replaceParts(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var before = {};
    document.querySelectorAll("[data-live-part=conversation] .agent-message").forEach(function (el) {
      before[el.id] = true;
    });
    parsed.querySelectorAll("[data-live-part]").forEach(function (fresh) {
      // The page's element with the same data-live-part, or else with the same first class
      // (a line of the page that carries no data-live-part of its own, like the SLA countdown).
      var current =
        document.querySelector("[data-live-part=" + fresh.dataset.livePart + "]") ||
        (fresh.classList.length ? document.querySelector("." + fresh.classList[0]) : null);
      if (current) current.replaceWith(document.importNode(fresh, true));
    });
    document.querySelectorAll("[data-live-part=conversation] .agent-message").forEach(function (el) {
      if (!before[el.id]) el.classList.add("agent-message--new");
    });
  }

  // One fetch at a time; pushes that arrive meanwhile are folded into one more fetch.
  function catchUp() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    var url = root.dataset.liveParts + "?since=" + known;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var sequence = parseInt(response.headers.get("X-Ticket-Sequence"), 10);
        if (response.status === 200) {
          return response.text().then(function (html) {
            replaceParts(html);
            if (sequence) known = sequence;
            root.dataset.liveSequence = String(known);
          });
        }
        if (response.status === 204 && sequence) known = Math.max(known, sequence);
      })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          catchUp();
        }
      });
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (message.type === "presence") {
      showPresence(message.others || []);
    } else if (message.type === "state" || message.type === "changed") {
      if (message.sequence > known) catchUp();
      if (
        message.type === "changed" &&
        !message.mine &&
        (message.kinds || [message.kind]).indexOf("message_added") >= 0 &&
        draftState() === "typing"
      ) {
        repliedBox.textContent = root.dataset.textReplied;
        repliedBox.hidden = false;
      }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.liveSocket);
    socket.addEventListener("open", function () {
      delay = 1000;
      offlineBox.hidden = true;
      state = "viewing";
      if (draftState() !== state) {
        state = draftState();
        send({ type: "presence", state: state });
      }
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      socket = null;
      showPresence([]);
      // 4403: no longer allowed (signed out, moved out of the group); the page says so on reload.
      if (stopped || event.code === 4403) return;
      offlineBox.textContent = root.dataset.textOffline;
      offlineBox.hidden = false;
      var wait = delay * (0.75 + Math.random() / 2);
      delay = Math.min(delay * 2, MAX_DELAY);
      window.setTimeout(connect, wait);
    });
  }

  if (replyBox) {
    replyBox.addEventListener("input", function () {
      var now = draftState();
      if (now !== state) {
        state = now;
        send({ type: "presence", state: state });
      }
      if (now === "viewing") repliedBox.hidden = true;
    });
  }
  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close(1000);
  });
  // Back to a page kept in the browser's back/forward cache: join again and catch up.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    stopped = false;
    if (!socket) connect();
  });

  connect();
})();
