// Filling in an e-service: renders the current step with the form-js viewer, autosaves the
// answers, uploads picked files, and hands the answers to the server when the step is sent.
// The server validates everything again with the same rules (verka/engine/forms).
(function () {
  "use strict";

  var formElement = document.getElementById("apply-form");
  var container = document.getElementById("form-container");
  if (!formElement || !container || !window.FormViewer || !window.VerkaFormViewer || !window.VerkaFormUploads) {
    return;
  }
  var schema = JSON.parse(document.getElementById("step-schema").textContent);
  var answers = JSON.parse(document.getElementById("draft-data").textContent) || {};
  var hidden = document.getElementById("answers");
  var status = document.getElementById("save-status");
  var csrf = formElement.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Swedish for the viewer's own texts (on Swedish pages).
  if (window.VerkaFormTexts) { window.VerkaFormTexts.start(container); }
  var viewer = window.VerkaFormViewer.create(container);
  var RETRY_DELAY = 10000;
  var saveTimer = null;
  // One save at a time, so that an older save can never reach the server after a newer one
  // (or after the step is sent) and put older answers back. `changedSince` notes answers that
  // changed while a save was under way; they go in the next one.
  var saving = null;
  var changedSince = false;
  var warning = null;
  var sending = false;

  function merged(data) {
    var result = {};
    Object.keys(answers).forEach(function (key) { result[key] = answers[key]; });
    Object.keys(data || {}).forEach(function (key) { result[key] = data[key]; });
    return result;
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  // A failed save or upload is shown where it is seen and announced at once (role=alert),
  // above the fields and kept in view while scrolling; the answers stay in the form.
  function warn(text) {
    if (!warning) {
      warning = document.createElement("p");
      warning.id = "save-warning";
      warning.className = "error-summary save-warning";
      warning.setAttribute("role", "alert");
      container.parentNode.insertBefore(warning, container);
    }
    warning.textContent = text;
  }

  function clearWarning() {
    if (warning) { warning.remove(); warning = null; }
  }

  function autosave() {
    saveTimer = null;
    if (sending) { return; }
    if (saving) { changedSince = true; return; }
    changedSince = false;
    saving = fetch(formElement.dataset.autosaveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ data: answers })
    }).then(function (response) {
      if (!response.ok) {
        // The server refused the save (signed out, answers it cannot take): say why, in its words.
        return response.json().catch(function () { return {}; }).then(function (problem) {
          warn(formElement.dataset.saveRefusedText + (problem.title ? " " + problem.title : ""));
          return false;
        });
      }
      clearWarning();
      var now = new Date();
      // The page's language, not the browser's: a Swedish page says "Sparat 06:37", not "06:37 AM".
      var language = document.documentElement.lang || undefined;
      say(formElement.dataset.savedText + " " + now.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" }));
      return true;
    }).catch(function () {
      warn(formElement.dataset.saveFailedText);
      return false;
    }).then(function (saved) {
      saving = null;
      if (changedSince) {
        scheduleSave();
      } else if (!saved) {
        scheduleSave(RETRY_DELAY);
      }
    });
  }

  function scheduleSave(delay) {
    if (sending) { return; }
    if (saveTimer) { clearTimeout(saveTimer); }
    saveTimer = setTimeout(autosave, delay || 1500);
  }

  // Leaving the page (a link, closing the tab) within the autosave's delay still saves.
  function saveBeforeLeaving() {
    if (!saveTimer || sending) { return; }
    clearTimeout(saveTimer);
    saveTimer = null;
    fetch(formElement.dataset.autosaveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      keepalive: true,
      body: JSON.stringify({ data: answers })
    }).catch(function () { scheduleSave(RETRY_DELAY); });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveBeforeLeaving(); }
  });
  window.addEventListener("pagehide", saveBeforeLeaving);

  function uploadFiles(data, files) {
    return window.VerkaFormUploads.uploadFiles(data, files, formElement.dataset.uploadUrl, csrf);
  }

  viewer.importSchema(schema, answers).then(function () {
    viewer.on("changed", function (event) {
      answers = merged(event.data);
      hidden.value = JSON.stringify(answers);
      scheduleSave();
    });
    hidden.value = JSON.stringify(answers);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });

  formElement.addEventListener("submit", function (event) {
    if (sending) { return; }
    var action = event.submitter ? event.submitter.value : "next";
    var result = viewer.submit();
    var errors = result.errors || {};
    if (action === "next" && Object.keys(errors).length) {
      event.preventDefault();
      var first = container.querySelector("[aria-invalid=true], .fjs-has-errors input, .fjs-has-errors select, .fjs-has-errors textarea");
      if (first && first.focus) { first.focus(); }
      return;
    }
    event.preventDefault();
    sending = true;
    if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
    // The step is sent after any save under way has been answered (see `saving`).
    Promise.resolve(saving).then(function () {
      return uploadFiles(merged(result.data), result.files);
    }).then(function (data) {
      answers = data;
      hidden.value = JSON.stringify(data);
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "action";
      input.value = action;
      formElement.appendChild(input);
      formElement.submit();
    }).catch(function (error) {
      sending = false;
      warn(formElement.dataset.uploadFailedText + ": " + error.message);
      scheduleSave();
    });
  });
}());
