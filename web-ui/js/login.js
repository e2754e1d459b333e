// Logging in, when the server asks for it (a server bound beyond loopback): the page asks
// for the passphrase (and a user name, blank for the show's admin passphrase), sends it to
// POST /api/v1/login and keeps the token for this tab. A token that expires brings the
// dialog back; the sockets reconnect with the new token by themselves. Log out ends the
// session on the server, forgets the token and starts the page again at the dialog.

import { api, ApiError, setToken } from './api.js';
import { $ } from './dom.js';

/** True when `error` says the server wants a (new) login. @param {unknown} error */
export function needsLogin(error) {
  return error instanceof ApiError && error.status === 401;
}

/** @type {Promise<any> | null} the login in progress, shared by everyone who needs it */
let pending = null;

/**
 * Shows the login dialog until a login succeeds; resolves with the server's answer
 * ({token, user, role}). Callers that ask while it is open wait for the same login.
 */
export function login() {
  setToken(null);
  pending ??= new Promise((resolve) => {
    const dialog = $('login-dialog');
    const form = $('login-form');
    const error = $('login-error');
    error.textContent = '';
    dialog.addEventListener('cancel', (e) => e.preventDefault()); // no way round it
    form.onsubmit = async (event) => {
      event.preventDefault();
      const user = $('login-user').value.trim();
      const body = { passphrase: $('login-passphrase').value, ...(user ? { user } : {}) };
      $('login-submit').disabled = true;
      try {
        const answer = await api('POST', '/login', body);
        setToken(answer.token);
        $('login-passphrase').value = '';
        dialog.close();
        pending = null;
        resolve(answer);
      } catch (e) {
        error.textContent = e.message;
        $('login-passphrase').select();
      } finally {
        $('login-submit').disabled = false;
      }
    };
    if (!dialog.open) dialog.showModal();
    $('login-passphrase').focus();
  });
  return pending;
}

/**
 * Logs out: the server and this tab forget the token and the page starts again, at the login dialog,
 * with nothing of the show left in it (no pictures, sockets or grades).
 */
export async function logout() {
  // The server forgets the token too, so a copy of it (a link with `?token=`) stops working.
  // An expired token or a server that is gone changes nothing here: the tab forgets it anyway.
  await api('POST', '/logout', {}).catch(() => {});
  setToken(null);
  // The address may carry a token (`/?token=…`): start again without it.
  location.replace(location.pathname);
}
