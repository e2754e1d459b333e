// What the logged-in role may do, as the server decides it: a viewer reads the show, an
// operator grades (trims, snapshots, scenes, outputs, exports, checks, routing), an admin
// also manages devices. The page offers no change the server would refuse: a control that
// needs more than the role is disabled (a `data-needs` role on it, or on a fieldset around
// it, which disables everything inside, also controls added later), and the page shows
// the "view only" state. Until the session says who is here, the role is viewer.

const RANK = { viewer: 0, operator: 1, admin: 2 };

/** @type {'viewer' | 'operator' | 'admin'} */
let role = 'viewer';

/** The current role. */
export function currentRole() {
  return role;
}

/** True when the role may do what needs `level` ('viewer' | 'operator' | 'admin'). */
export function allowed(level) {
  return RANK[role] >= (RANK[level] ?? Infinity);
}

/**
 * Attributes for a control built by script that needs `level`: marked for later role
 * changes, and disabled now when the role is below it.
 * @param {'operator' | 'admin'} level
 */
export function needs(level) {
  return { dataset: { needs: level }, disabled: !allowed(level) };
}

/** Sets the role and brings every marked control of the page in line with it. */
export function setRole(next) {
  role = next in RANK ? next : 'viewer';
  document.body.dataset.role = role;
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-needs]'))) {
    const ok = allowed(node.dataset.needs);
    if ('disabled' in node) node.disabled = !ok;
    else node.setAttribute('aria-disabled', String(!ok));
  }
}
