// REST calls under /api/v1: JSON in and out; an error body becomes a thrown Error whose
// message is the server's, with the JSON path it names, and whose `status` is the HTTP one.

export class ApiError extends Error {
  /**
   * @param {string} message @param {number} status @param {string | undefined} code
   * @param {string} [path] the JSON pointer the server names
   */
  constructor(message, status, code, path) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

// The session's token, when the server asks for one: from the login dialog (POST
// /api/v1/login), kept for this tab in sessionStorage, or given as `/?token=…`. Fetches send
// it as a header; links, pictures and sockets, which cannot, carry it in their URL (the
// server takes `?token=` on reads only).
const STORED = 'lookwire.token';
let token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem(STORED);

/** The session's token, or null (loopback servers need none). */
export function currentToken() {
  return token;
}

/** Keeps `value` as the session's token (null forgets it). @param {string | null} value */
export function setToken(value) {
  token = value;
  if (value) sessionStorage.setItem(STORED, value);
  else sessionStorage.removeItem(STORED);
}

/** Headers that authenticate a fetch. @returns {Record<string, string>} */
export function authHeaders() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `url` with the session's token for a link or a picture. @param {string} url */
export function withToken(url) {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export async function api(method, path, body) {
  /** @type {{ method: string, headers: Record<string, string>, body?: string }} */
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    if (response.ok) throw new ApiError(`${method} ${path}: the answer is not JSON`, response.status, undefined);
  }
  if (!response.ok) {
    const error = data?.error;
    const where = error?.path ? ` (${error.path})` : '';
    const message = error ? `${error.message}${where}` : `${method} ${path}: ${response.status} ${text.slice(0, 200)}`;
    throw new ApiError(message, response.status, error?.code, error?.path);
  }
  return data;
}
