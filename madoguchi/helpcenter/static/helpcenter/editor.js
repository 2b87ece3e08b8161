/* The article editor in the admin: a live preview of the Markdown body, rendered by the
   server's own sanitizer, and a screenshot upload that inserts the Markdown for the image.
   Without this script the admin form works as a plain textarea. */
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var value = textarea.value;
    var before = value.slice(0, start);
    var glue = before && !before.endsWith("\n") ? "\n\n" : "";
    textarea.value = before + glue + text + "\n" + value.slice(end);
    textarea.dispatchEvent(new Event("input"));
  }

  function setUp(textarea) {
    var previewUrl = textarea.dataset.previewUrl;
    var uploadUrl = textarea.dataset.uploadUrl;
    var form = textarea.form;
    var wrapper = document.createElement("div");
    wrapper.className = "markdown-editor-wrapper";
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(textarea);

    var preview = document.createElement("div");
    preview.className = "markdown-preview prose";
    preview.setAttribute("aria-live", "polite");
    wrapper.appendChild(preview);

    var timer = null;
    var sequence = 0;
    function refresh() {
      var mine = ++sequence;
      var body = new FormData();
      body.append("body", textarea.value);
      fetch(previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(form)}
      }).then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      }).then(function (html) {
        // The server sanitized this HTML with the same allowlist as the public page.
        if (mine === sequence) { preview.innerHTML = html; }
      }).catch(function () {});
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();

    if (!uploadUrl) { return; }
    var upload = document.createElement("input");
    upload.type = "file";
    upload.accept = "image/png,image/jpeg,image/gif,image/webp";
    upload.className = "markdown-upload";
    var status = document.createElement("span");
    status.className = "markdown-upload-status";
    var label = document.createElement("label");
    label.className = "markdown-upload-label";
    label.textContent = textarea.dataset.uploadLabel || "\u{1F4F7}";
    label.appendChild(upload);
    wrapper.parentNode.insertBefore(label, wrapper.nextSibling);
    label.parentNode.insertBefore(status, label.nextSibling);
    upload.addEventListener("change", function () {
      if (!upload.files.length) { return; }
      var body = new FormData();
      body.append("image", upload.files[0]);
      fetch(uploadUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(form)}
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (result) {
        if (result.ok) {
          insertAtCursor(textarea, result.data.markdown);
          status.textContent = "";
        } else {
          status.textContent = result.data.error || "";
        }
        upload.value = "";
      }).catch(function () { upload.value = ""; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.markdown-editor[data-preview-url]").forEach(setUp);
  });
}());
