// The findings of a check as an accessible list: this file's findings first, each a button that
// selects and scrolls to its element; then the other files' findings with links to their editors.
const ICONS = { error: '\u2716', warning: '\u26a0' };

// The editor of another file in the same project: the same path with the file name replaced.
export function editorUrl(fileName, otherName) {
  const parts = window.location.pathname.split('/');
  const index = parts.lastIndexOf(encodeURIComponent(fileName));
  const at = index >= 0 ? index : parts.lastIndexOf(fileName);
  if (at < 0) {
    return null;
  }
  parts[at] = encodeURIComponent(otherName);
  return parts.join('/');
}

export class FindingsView {
  constructor({ config, editor, list, others, summary, texts }) {
    this.config = config;
    this.editor = editor;
    this.list = list;
    this.others = others;
    this.summary = summary;
    this.texts = texts;
    this.findings = [];
  }

  summaryText() {
    const own = this.findings.filter((finding) => finding.file === this.config.fileName);
    const errors = own.filter((finding) => finding.severity === 'error').length;
    const warnings = own.length - errors;
    const elsewhere = this.findings.length - own.length;
    if (!this.findings.length) {
      return this.texts.msgNoFindings;
    }
    return this.texts.msgSummary
      .replace('{errors}', String(errors))
      .replace('{warnings}', String(warnings))
      .replace('{others}', String(elsewhere));
  }

  show(findings) {
    this.findings = findings;
    const own = findings.filter((finding) => finding.file === this.config.fileName);
    const other = findings.filter((finding) => finding.file !== this.config.fileName);
    this.editor.showFindings(own);
    this.summary.textContent = this.summaryText();

    this.list.replaceChildren(...own.map((finding) => this.ownItem(finding)));
    this.list.hidden = own.length === 0;
    this.others.replaceChildren(...other.map((finding) => this.otherItem(finding)));
    this.others.hidden = other.length === 0;
    document.getElementById('studio-findings-other-heading').hidden = other.length === 0;
  }

  describe(finding) {
    const severity = finding.severity === 'error' ? 'error' : 'warning';
    const fragment = document.createDocumentFragment();
    const icon = document.createElement('span');
    icon.className = `studio-icon studio-icon-${severity}`;
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = ICONS[severity];
    const word = document.createElement('strong');
    word.className = `studio-severity-${severity}`;
    word.textContent = severity === 'error' ? this.texts.msgError : this.texts.msgWarning;
    const title = finding.title ? `${finding.title}: ` : '';
    const place = [];
    if (finding.element_id) {
      place.push(finding.element_id);
    }
    if (finding.line) {
      place.push(this.texts.msgLine.replace('{line}', String(finding.line)));
    }
    const where = place.length ? ` (${place.join(', ')})` : '';
    fragment.append(icon, ' ', word, ` ${title}${finding.message}${where}`);
    return fragment;
  }

  ownItem(finding) {
    const item = document.createElement('li');
    item.className = `studio-finding ${finding.severity === 'error' ? 'error' : 'warning'}`;
    item.dataset.elementId = finding.element_id || '';
    item.dataset.rule = finding.rule || '';
    if (finding.element_id && this.editor.hasElement(finding.element_id)) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'studio-finding-button';
      button.append(this.describe(finding));
      button.addEventListener('click', () => this.editor.reveal(finding.element_id));
      item.append(button);
    } else {
      item.append(this.describe(finding));
    }
    return item;
  }

  otherItem(finding) {
    const item = document.createElement('li');
    item.className = `studio-finding ${finding.severity === 'error' ? 'error' : 'warning'}`;
    item.dataset.file = finding.file;
    const url = finding.file ? editorUrl(this.config.fileName, finding.file) : null;
    if (url) {
      const link = document.createElement('a');
      link.href = url;
      link.textContent = finding.file;
      item.append(link, ': ');
    } else {
      item.append(`${finding.file}: `);
    }
    item.append(this.describe(finding));
    return item;
  }
}
