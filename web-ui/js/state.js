// The show as the server last told it: loaded once, then kept current by applying the
// patches of every `change` message in version order.

/** Applies one server patch (`replace` | `add` | `remove` at a JSON pointer) to `doc`. */
export function applyPatch(doc, patch) {
  const keys = patch.path.split('/').slice(1);
  const last = keys.pop();
  let node = doc;
  for (const key of keys) {
    if (node[key] === undefined) throw new Error(`patch path ${patch.path}: no ${key}`);
    node = node[key];
  }
  switch (patch.op) {
    case 'replace': node[last] = patch.after; break;
    case 'add': node[last] = patch.value; break;
    case 'remove': delete node[last]; break;
    default: throw new Error(`unknown patch op ${patch.op}`);
  }
}

export class ShowState extends EventTarget {
  constructor() {
    super();
    this.show = null;
    this.version = 0;
  }

  /** Replaces the whole state (first load, or after a gap that cannot be patched). */
  load(exported) {
    this.show = exported.show;
    this.version = exported.version;
    this.dispatchEvent(new CustomEvent('reset'));
  }

  /** Applies a `change` message; returns false when it does not follow on (caller reloads). */
  change(message) {
    if (message.version <= this.version) return true;
    if (message.version !== this.version + 1 || !this.show) return false;
    try {
      for (const patch of message.event.patches) applyPatch(this.show, patch);
    } catch {
      return false;
    }
    this.version = message.version;
    this.dispatchEvent(new CustomEvent('change', { detail: message.event }));
    return true;
  }

  cameras() {
    return this.show ? Object.values(this.show.cameras) : [];
  }

  camera(id) {
    return this.show?.cameras[id];
  }
}
