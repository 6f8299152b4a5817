// Live market updates over /ws: resume from the last id, reconnect with jittered backoff.
//
//   import { connectLive } from <this module, by the URL the page gives it>;
//   const live = connectLive({
//     onEvent(message) { ... },   // {id, type, data}: outbox kinds, feed.job, feed.remove,
//                                 // feed.slots (already shown on the page's cards, see below)
//     onResync() { ... },         // too far behind: refetch the page's data over HTTP
//     onStatus(state) { ... },    // optional: "open" | "closed"
//   });
//   live.close();
//
// The session cookie rides along; the server refuses pages from other origins.
//
// A `feed.slots` message ({job, slots_left}: someone was hired) updates the places left on
// every card of that job on the page (`[data-job] [data-slots-text]`), with no refetch.

const STORAGE_KEY = "linggong.live.last_id";
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const PING_EVERY_MS = 25000;

function lastId() {
  try {
    const value = sessionStorage.getItem(STORAGE_KEY);
    return value === null ? null : Number(value);
  } catch (_) {
    return null;
  }
}

// The last event the server had sent out before it built this page (base.html): what
// this page shows includes everything up to it, so its socket resumes from there.
function pageSeq() {
  const meta = document.querySelector('meta[name="live-seq"]');
  const value = meta ? Number(meta.content) : NaN;
  return Number.isInteger(value) && value >= 0 ? value : null;
}

// Where the socket resumes: the later of the tab's last seen event and the page's own.
// With neither (a page built without the live service) the server's hello sets it.
function resumeFrom() {
  const stored = lastId();
  const page = pageSeq();
  if (stored === null || stored < 0) return page ?? stored;
  return page === null ? stored : Math.max(stored, page);
}

function showSlots(data) {
  const job = Number(data?.job);
  const left = Number(data?.slots_left);
  if (!Number.isInteger(job) || !Number.isInteger(left) || left < 0) return;
  document.querySelectorAll(`[data-job="${job}"] [data-slots-text]`).forEach((item) => {
    const shown = item.querySelector("[data-slots]");
    if (shown) shown.textContent = item.dataset.slotsText.replace("{left}", String(left));
  });
}

function remember(id) {
  try {
    sessionStorage.setItem(STORAGE_KEY, String(id));
  } catch (_) {
    /* private mode: resume only within this page */
  }
}

export function connectLive({ onEvent = () => {}, onResync = () => {}, onStatus = () => {} } = {}) {
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let pinger = null;
  let retry = null;
  let seen = resumeFrom();

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = seen === null ? "" : `?last_id=${encodeURIComponent(seen)}`;
    return `${scheme}//${location.host}/ws${query}`;
  }

  function schedule() {
    if (stopped) return;
    // full jitter: a crowd of phones coming back after an outage spreads out
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
    attempt += 1;
    retry = setTimeout(open, Math.random() * ceiling);
  }

  function handle(message) {
    if (message.type === "hello") {
      attempt = 0;
      if (seen === null) {
        seen = message.data.last_id;
        remember(seen);
      }
      return;
    }
    if (message.type === "pong") return;
    if (message.type === "resync") {
      seen = null;
      onResync();
      return;
    }
    if (typeof message.id === "number") {
      if (seen !== null && message.id < seen) return; // already shown
      seen = message.id;
      remember(seen);
    }
    if (message.type === "feed.slots") showSlots(message.data);
    onEvent(message);
  }

  function open() {
    if (stopped) return;
    socket = new WebSocket(url());
    socket.onopen = () => {
      onStatus("open");
      pinger = setInterval(() => {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ type: "ping" }));
        }
      }, PING_EVERY_MS);
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      handle(message);
    };
    socket.onclose = (event) => {
      clearInterval(pinger);
      socket = null;
      onStatus("closed");
      // 4429: too many live connections (other pages of this account are open): not a
      // network drop, so wait the longest backoff before trying again
      if (event.code === 4429) attempt = Math.max(attempt, 6);
      schedule();
    };
    socket.onerror = () => {
      if (socket) socket.close();
    };
  }

  document.addEventListener("visibilitychange", () => {
    // a phone waking up should not wait out a long backoff
    if (document.visibilityState === "visible" && !socket && !stopped) {
      clearTimeout(retry);
      attempt = 0;
      open();
    }
  });

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(pinger);
      if (socket) socket.close();
    },
  };
}
