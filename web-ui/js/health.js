// The server's health (GET /api/v1/health): when the show stops taking changes (a disk sync
// or a commit failed, or the show's writer stopped), a banner says why and what to do,
// until it recovers.

const POLL_MS = 5000;

/**
 * Polls the health route and shows its refusal in `banner` (hidden while healthy).
 * @param {HTMLElement} banner
 * @returns {{ check: () => Promise<void> }} `check()` asks again now (after a refused change)
 */
export function watchHealth(banner) {
  let asked = 0; // requests sent
  let shown = 0; // the newest request whose answer is shown
  async function check() {
    const mine = ++asked;
    let health;
    try {
      const res = await fetch('/api/v1/health', { cache: 'no-store' });
      health = await res.json();
    } catch {
      return; // the server is unreachable: the connection badge says so
    }
    if (mine < shown) return; // a newer answer is already shown
    shown = mine;
    banner.hidden = health.ok !== false;
    const why = String(health.refusal ?? 'the server takes no changes');
    const text = health.ok === false ? why.charAt(0).toUpperCase() + why.slice(1) : '';
    // The banner is an alert: rewriting the same text would have screen readers repeat it.
    if (banner.textContent !== text) banner.textContent = text;
    banner.dataset.checks = String(Number(banner.dataset.checks ?? 0) + 1); // answers shown
  }
  check();
  setInterval(check, POLL_MS);
  return { check };
}
