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

// The session's token, when the server asks for one: the page is opened as `/?token=…`
// (from POST /api/v1/login). Fetches send it as a header; links and pictures, which cannot,
// carry it in their URL (the server takes `?token=` on reads only).
const TOKEN = new URLSearchParams(location.search).get('token');

/** Headers that authenticate a fetch. @returns {Record<string, string>} */
export function authHeaders() {
  return TOKEN ? { authorization: `Bearer ${TOKEN}` } : {};
}

/** `url` with the session's token for a link or a picture. @param {string} url */
export function withToken(url) {
  if (!TOKEN) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(TOKEN)}`;
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
