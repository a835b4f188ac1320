// The studio's editor page: mounts the bpmn.io editor for the file's kind, and owns the toolbar
// (save, check, download), the unsaved-changes guard and the list of findings. The page's markup
// and its translated texts come from studio/editor.html; the config from json_script.
import './nonce.js';
import './studio.css';

import { mountBpmn } from './bpmn.js';
import { mountDmn } from './dmn.js';
import { mountForm } from './form.js';
import { FindingsView } from './findings.js';

const MOUNTS = { bpmn: mountBpmn, dmn: mountDmn, form: mountForm };

function readConfig() {
  const node = document.getElementById('studio-config');
  return node ? JSON.parse(node.textContent) : null;
}

function csrfToken() {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  if (input) {
    return input.value;
  }
  const cookie = document.cookie.split('; ').find((part) => part.startsWith('csrftoken='));
  return cookie ? decodeURIComponent(cookie.slice('csrftoken='.length)) : '';
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-CSRFToken': csrfToken(),
    },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  return { ok: response.ok, status: response.status, data };
}

function mediaType(kind) {
  return kind === 'form' ? 'application/json' : 'application/xml';
}

async function start() {
  const config = readConfig();
  const root = document.getElementById('studio');
  if (!config || !root || !MOUNTS[config.kind]) {
    return;
  }
  const texts = root.dataset;
  const status = document.getElementById('studio-status');
  const alert = document.getElementById('studio-error');
  const saveButton = document.getElementById('studio-save');
  const checkButton = document.getElementById('studio-check');
  const downloadButton = document.getElementById('studio-download');

  let sha = config.sha;
  let dirty = false;
  let busy = false;

  function say(message) {
    status.textContent = message;
  }
  function fail(message) {
    // Clear first so that screen readers announce the same message again.
    alert.textContent = '';
    alert.hidden = false;
    window.setTimeout(() => {
      alert.textContent = message;
    }, 50);
    say('');
  }
  function clearError() {
    alert.textContent = '';
    alert.hidden = true;
  }
  function setDirty(value) {
    dirty = value;
    root.classList.toggle('is-dirty', dirty);
    document.getElementById('studio-dirty').hidden = !dirty;
  }

  const editor = await MOUNTS[config.kind]({
    config,
    canvas: document.getElementById('studio-canvas'),
    properties: document.getElementById('studio-properties'),
    preview: document.getElementById('studio-preview'),
    onChange: () => setDirty(true),
  });
  const findings = new FindingsView({
    config,
    editor,
    list: document.getElementById('studio-findings-here'),
    others: document.getElementById('studio-findings-other'),
    summary: document.getElementById('studio-findings-summary'),
    texts,
  });

  let source;
  try {
    const response = await fetch(config.sourceUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    source = await response.text();
  } catch (error) {
    fail(texts.msgLoadFailed);
    return;
  }
  try {
    const warnings = await editor.load(source);
    if (warnings && warnings.length) {
      say(texts.msgImportWarnings.replace('{count}', String(warnings.length)));
    }
  } catch (error) {
    fail(`${texts.msgImportFailed} ${error.message || ''}`.trim());
    return;
  }
  setDirty(false);
  root.classList.add('is-ready');

  async function check() {
    if (busy) {
      return;
    }
    busy = true;
    clearError();
    say(texts.msgChecking);
    try {
      const content = await editor.content();
      const result = await postJson(config.checkUrl, { files: { [config.fileName]: content } });
      if (!result.ok) {
        fail(result.data.error || texts.msgCheckFailed);
        return;
      }
      findings.show(result.data.findings || []);
      say(findings.summaryText());
    } catch (error) {
      fail(texts.msgCheckFailed);
    } finally {
      busy = false;
    }
  }

  async function save() {
    if (busy) {
      return;
    }
    busy = true;
    clearError();
    say(texts.msgSaving);
    try {
      const content = await editor.content();
      const result = await postJson(config.saveUrl, { content, sha });
      if (!result.ok) {
        fail(result.data.error || texts.msgSaveFailed);
        return;
      }
      sha = result.data.sha;
      setDirty(false);
      findings.show(result.data.findings || []);
      say(`${texts.msgSaved} ${findings.summaryText()}`);
    } catch (error) {
      fail(texts.msgSaveFailed);
    } finally {
      busy = false;
    }
  }

  async function download() {
    const content = await editor.content();
    const blob = new Blob([content], { type: mediaType(config.kind) });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = config.fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  saveButton.addEventListener('click', save);
  checkButton.addEventListener('click', check);
  downloadButton.addEventListener('click', download);
  // Capture phase: the canvases handle keys themselves and must not see Ctrl+S.
  document.addEventListener(
    'keydown',
    (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        event.stopPropagation();
        save();
      }
    },
    true,
  );
  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
  // For debugging and the browser tests: the editor and its actions.
  window.studio = { editor, save, check, findings, isDirty: () => dirty };
  // Check once on load so the file's findings are on the diagram before the first save.
  await check();
}

start();
