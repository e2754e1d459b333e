// The server's health (GET /api/v1/health): when the show stops taking changes (a disk sync
// failed, or the show task stopped), a banner says why and what to do, until it recovers.

const POLL_MS = 5000;

/**
 * Polls the health route and shows its refusal in `banner` (hidden while healthy).
 * @param {HTMLElement} banner
 * @returns {{ check: () => Promise<void> }} `check()` asks again now (after a refused change)
 */
export function watchHealth(banner) {
  async function check() {
    let health;
    try {
      const res = await fetch('/api/v1/health', { cache: 'no-store' });
      health = await res.json();
    } catch {
      return; // the server is unreachable: the connection badge says so
    }
    banner.hidden = health.ok !== false;
    const why = String(health.refusal ?? 'the server takes no changes');
    banner.textContent = health.ok === false ? why.charAt(0).toUpperCase() + why.slice(1) : '';
    banner.dataset.checks = String(Number(banner.dataset.checks ?? 0) + 1); // answers shown
  }
  check();
  setInterval(check, POLL_MS);
  return { check };
}
