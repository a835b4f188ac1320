// Findings shown through a generated style sheet keyed on element ids, for editors that re-render
// their DOM (form-js, dmn-js tables) and would drop classes we added to their nodes.
import { nonce } from './nonce.js';

const OUTLINE = {
  error: 'outline: 3px dashed #b00020; outline-offset: -3px;',
  warning: 'outline: 3px dotted #8a5a00; outline-offset: -3px;',
};

export class FindingStyles {
  constructor(id, selectorsFor, badgeSelectorsFor = null, texts = document.getElementById('studio').dataset) {
    this.selectorsFor = selectorsFor;
    this.badgeSelectorsFor = badgeSelectorsFor;
    this.texts = texts;
    this.sheet = document.getElementById(id);
    if (!this.sheet) {
      this.sheet = document.createElement('style');
      this.sheet.id = id;
      // Before it joins the document: the policy checks the nonce when the sheet is made.
      this.sheet.nonce = nonce;
      document.head.append(this.sheet);
    }
  }

  show(findings) {
    const worst = new Map();
    for (const finding of findings) {
      if (!finding.element_id) {
        continue;
      }
      if (finding.severity === 'error' || !worst.has(finding.element_id)) {
        worst.set(finding.element_id, finding.severity === 'error' ? 'error' : 'warning');
      }
    }
    const rules = [];
    for (const [id, severity] of worst) {
      rules.push(`${this.selectorsFor(id).join(', ')} { ${OUTLINE[severity]} }`);
      if (this.badgeSelectorsFor) {
        const word = severity === 'error' ? this.texts.msgError : this.texts.msgWarning;
        const icon = severity === 'error' ? '\\2716 ' : '\\26a0 ';
        const colour = severity === 'error' ? '#b00020' : '#6b4700';
        rules.push(
          `${this.badgeSelectorsFor(id).join(', ')} { content: "${icon} ${cssString(word)}"; color: ${colour}; ` +
            'display: block; font-weight: 700; font-size: 0.85rem; }',
        );
      }
    }
    this.sheet.textContent = rules.join('\n');
  }
}

function cssString(text) {
  return String(text || '').replace(/["\\\n]/g, (character) => `\\${character.charCodeAt(0).toString(16)} `);
}
