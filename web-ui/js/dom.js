// Small DOM helpers: build elements without innerHTML, so no value is ever parsed as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

/**
 * The element with `id`; the page's ids are fixed, so the caller knows its type.
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

let toastTimer = 0;
/** Shows a short message at the bottom of the screen (errors from the server). */
export function toast(message) {
  let box = document.querySelector('.toast');
  if (!box) {
    box = el('div', { class: 'toast', role: 'alert' });
    document.body.append(box);
  }
  box.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.remove(), 4000);
}
