// The page's content security policy admits a <style> element only with the response's nonce,
// which the browser gave to this bundle's own <script> element. The editors add style elements
// while they run: CodeMirror (the FEEL and JSON fields) through style-mod, and the findings'
// outlines (styles.js). Imported first by main.js, while document.currentScript is this bundle.
import { StyleModule } from 'style-mod';

export const nonce = document.currentScript?.nonce || '';

// style-mod keeps one <style> element per document; made here with the nonce, CodeMirror's
// later mounts (which know no nonce) add their rules to it.
if (nonce) {
  StyleModule.mount(document, [], { nonce });
}
