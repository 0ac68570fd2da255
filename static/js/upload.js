/* Upload with a progress bar.
 *
 * <form data-upload [data-upload-url=...] data-success-url=...> is sent with XMLHttpRequest so
 * the upload progress can be shown; it posts the same multipart fields to data-upload-url (the
 * API endpoint) or, without one, to the form's own action, asking for JSON. Browsers without
 * XHR upload events simply submit the plain form. Messages come from data-msg-* attributes
 * (already translated by the server).
 */
(function () {
  "use strict";

  function supported() {
    return window.FormData && window.XMLHttpRequest && "upload" in new XMLHttpRequest();
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function detailOf(xhr, fallback) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.detail) { return body.detail; }
    } catch (e) { /* not JSON */ }
    return fallback + " (HTTP " + xhr.status + ")";
  }

  function attach(form) {
    var wrap = form.querySelector("[data-upload-progress]");
    var bar = wrap ? wrap.querySelector("progress") : null;
    var percent = form.querySelector("[data-upload-percent]");
    var statusEl = form.querySelector("[data-upload-status]");
    var errorEl = form.querySelector("[data-upload-error]");
    var button = form.querySelector("button[type=submit]");
    var key = null;

    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      // One key per chosen set of files: a retry after a network error is not a second version.
      key = key || newKey();
      xhr.open("POST", form.getAttribute("data-upload-url") || form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Idempotency-Key", key);
      if (wrap) { wrap.hidden = false; }
      if (errorEl) { errorEl.hidden = true; errorEl.textContent = ""; }
      if (statusEl) { statusEl.textContent = form.getAttribute("data-msg-uploading") || ""; }
      if (button) { button.disabled = true; }

      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var value = Math.round((e.loaded / e.total) * 100);
        if (bar) { bar.value = value; }
        if (percent) { percent.textContent = value + "%"; }
      });
      xhr.addEventListener("load", function () {
        if (button) { button.disabled = false; }
        if (xhr.status >= 200 && xhr.status < 300) {
          if (bar) { bar.value = 100; }
          if (statusEl) { statusEl.textContent = form.getAttribute("data-msg-done") || ""; }
          key = null;
          window.location.assign(form.getAttribute("data-success-url") || window.location.href);
          return;
        }
        key = null;  // the server answered: the next attempt is a new request
        if (statusEl) { statusEl.textContent = ""; }
        if (errorEl) {
          errorEl.hidden = false;
          errorEl.textContent = detailOf(xhr, form.getAttribute("data-msg-failed") || "Upload failed");
          errorEl.focus && errorEl.setAttribute("tabindex", "-1");
          errorEl.focus && errorEl.focus();
        }
      });
      xhr.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        if (statusEl) { statusEl.textContent = ""; }
        if (errorEl) {
          errorEl.hidden = false;
          errorEl.textContent = form.getAttribute("data-msg-network") || "Network error";
        }
      });
      xhr.send(new FormData(form));
    });

    // A new file choice is a new upload.
    form.addEventListener("change", function () { key = null; });
  }

  if (!supported()) { return; }
  var forms = document.querySelectorAll("form[data-upload]");
  for (var i = 0; i < forms.length; i++) { attach(forms[i]); }
})();
