// Findings drawn on a diagram-js canvas (bpmn-js, or dmn-js's decision requirements diagram):
// a marker class on the element (coloured, dashed outline) plus an overlay with an icon and the
// severity in words, so colour is never the only signal.
const MARKERS = { error: 'studio-finding-error', warning: 'studio-finding-warning' };
const ICONS = { error: '\u2716', warning: '\u26a0' };

export class DiagramMarkers {
  constructor(viewer, texts = document.getElementById('studio').dataset) {
    this.viewer = viewer;
    this.texts = texts;
    this.marked = [];
  }

  element(id) {
    if (!id) {
      return null;
    }
    const canvas = this.viewer.get('canvas');
    const element = this.viewer.get('elementRegistry').get(id);
    // The root (a process without pool) has no shape to draw on or scroll to.
    if (!element || element === canvas.getRootElement()) {
      return null;
    }
    return element;
  }

  hasElement(id) {
    return Boolean(this.element(id));
  }

  clear() {
    const canvas = this.viewer.get('canvas');
    this.viewer.get('overlays').remove({ type: 'studio-finding' });
    for (const [id, marker] of this.marked) {
      canvas.removeMarker(id, marker);
    }
    this.marked = [];
  }

  show(findings) {
    this.clear();
    const canvas = this.viewer.get('canvas');
    const overlays = this.viewer.get('overlays');
    const byElement = new Map();
    for (const finding of findings) {
      const element = this.element(finding.element_id);
      if (element) {
        const list = byElement.get(element.id) || [];
        list.push(finding);
        byElement.set(element.id, list);
      }
    }
    for (const [id, list] of byElement) {
      const severity = list.some((finding) => finding.severity === 'error') ? 'error' : 'warning';
      canvas.addMarker(id, MARKERS[severity]);
      this.marked.push([id, MARKERS[severity]]);
      const badge = document.createElement('div');
      badge.className = `studio-badge studio-badge-${severity}`;
      badge.title = list.map((finding) => finding.message).join('\n');
      const icon = document.createElement('span');
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = ICONS[severity];
      const text = document.createElement('span');
      const word = severity === 'error' ? this.texts.msgError : this.texts.msgWarning;
      text.textContent = list.length > 1 ? `${word} (${list.length})` : word;
      badge.append(icon, ' ', text);
      overlays.add(id, 'studio-finding', { position: { top: -14, left: -6 }, html: badge });
    }
  }

  reveal(id) {
    const element = this.element(id);
    if (!element) {
      return false;
    }
    this.viewer.get('selection').select(element);
    this.viewer.get('canvas').scrollToElement(element);
    return true;
  }
}
