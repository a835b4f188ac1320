// The form editor: form-js FormEditor with a live preview, a form-js viewer beside it that is
// rendered again from the editor's schema after every change.
import { Form, FormEditor, Text } from '@bpmn-io/form-js';

import '@bpmn-io/form-js/dist/assets/form-js.css';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js/dist/assets/properties-panel.css';

import { FindingStyles } from './styles.js';
import { debounceFactory, flushInput } from './input.js';
import { formEditorPatterns, formEditorTexts, formEditorTextScope } from './form-translations-sv.js';
// The citizens' pages' translator of the viewer's own texts (sets window.VerkaFormTexts).
import '../../verka/portal/static/verka/form-texts.js';
// The viewer as citizens' and officers' pages open it (sets window.VerkaFormViewer), so that the
// preview shows texts as they will be shown (values in a text view are text).
import '../../verka/portal/static/verka/form-viewer.js';

// Swedish for the editor's and the viewer's own texts on Swedish pages (form-js has no
// translation hook; see form-texts.js).
function translateTexts({ canvas, properties, preview }) {
  const texts = window.VerkaFormTexts;
  const editorScope = (element) => Boolean(element.closest(formEditorTextScope));
  texts.observe(canvas, formEditorTexts, formEditorPatterns, editorScope);
  texts.observe(properties, formEditorTexts, formEditorPatterns, editorScope);
  texts.start(canvas);
  texts.start(preview);
}

export async function mountForm({ canvas, properties, preview, onChange }) {
  translateTexts({ canvas, properties, preview });
  const editor = new FormEditor({
    container: canvas,
    propertiesPanel: { parent: properties },
    additionalModules: [{ debounce: ['factory', debounceFactory(300)] }],
  });
  const viewer = window.VerkaFormViewer.create(preview, { Form, Text });
  const styles = new FindingStyles(
    'studio-form-findings',
    (id) => [`#studio-canvas .fjs-element[data-id="${CSS.escape(id)}"]`],
    (id) => [`#studio-canvas .fjs-element[data-id="${CSS.escape(id)}"]::before`],
  );
  let loading = true;
  let pending = null;

  function refreshPreview() {
    window.clearTimeout(pending);
    pending = window.setTimeout(async () => {
      try {
        await viewer.importSchema(editor.getSchema());
        preview.dataset.state = 'ok';
      } catch (error) {
        preview.dataset.state = 'error';
      }
    }, 150);
  }

  editor.on('changed', () => {
    if (!loading) {
      onChange();
      refreshPreview();
    }
  });

  // Findings name a form field by id or by key (the variable it writes).
  function field(id) {
    const registry = editor.get('formFieldRegistry');
    return registry.get(id) || registry.getAll().find((candidate) => candidate.key === id) || null;
  }

  return {
    editor,
    async load(text) {
      loading = true;
      const { warnings } = await editor.importSchema(JSON.parse(text));
      await viewer.importSchema(editor.getSchema());
      loading = false;
      return warnings;
    },
    async content() {
      flushInput();
      return `${JSON.stringify(editor.saveSchema(), null, 2)}\n`;
    },
    showFindings(findings) {
      const byId = findings.map((finding) => {
        const found = field(finding.element_id);
        return found ? { ...finding, element_id: found.id } : finding;
      });
      styles.show(byId);
    },
    hasElement(id) {
      return Boolean(id && field(id));
    },
    reveal(id) {
      const found = field(id);
      if (!found) {
        return false;
      }
      editor.get('selection').set(found);
      const node = canvas.querySelector(`.fjs-element[data-id="${CSS.escape(found.id)}"]`);
      node?.scrollIntoView({ block: 'center' });
      return true;
    },
  };
}
