// Staff dashboard: refetch the figures fragment when market events arrive, at most every 2 s.
import { connectLive } from "/static/js/live.js";

const THROTTLE_MS = 2000;
const box = document.getElementById("figures");
const status = document.getElementById("live-status");
let last = 0;
let timer = null;
let busy = false;

async function refresh() {
  timer = null;
  if (busy) { schedule(); return; }
  busy = true;
  last = Date.now();
  try {
    const response = await fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (response.ok) {
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").body.firstElementChild;
      if (fresh) box.replaceChildren(fresh);
      box.dataset.refreshed = String(Number(box.dataset.refreshed || 0) + 1);
    }
  } catch (_) {
    // the network dropped: the next event tries again
  } finally {
    busy = false;
  }
}

function schedule() {
  if (timer !== null) return;
  timer = setTimeout(refresh, Math.max(0, last + THROTTLE_MS - Date.now()));
}

if (box) {
  connectLive({
    onEvent: schedule,
    onResync: schedule,
    onStatus(state) {
      if (!status) return;
      status.hidden = false;
      status.textContent = state === "open" ? status.dataset.live : status.dataset.offline;
      status.classList.toggle("on", state === "open");
    },
  });
}
