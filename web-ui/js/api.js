// REST calls under /api/v1: JSON in and out; an error body becomes a thrown Error whose
// message is the server's, with the JSON path it names.

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = data?.error;
    const where = error?.path ? ` (${error.path})` : '';
    throw new Error(error ? `${error.message}${where}` : `${method} ${path}: ${response.status}`);
  }
  return data;
}
