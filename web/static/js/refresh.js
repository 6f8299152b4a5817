// Keeps a server-rendered fragment fresh: live events when /static/js/live.js is there,
// otherwise (or as a safety net) a periodic fetch of the fragment.
export async function keepFresh({ url, target, relevant, slowMs, fastMs, onSwap }) {
  let busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    if (target.querySelector("details[open]") || target.contains(document.activeElement)) return;
    busy = true;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok && response.headers.get("content-type")?.startsWith("text/html")) {
        const html = await response.text();
        const fresh = new DOMParser().parseFromString(html, "text/html").body.firstElementChild;
        if (fresh) onSwap(target, fresh);
      }
    } catch (_) {
      // weak network: the next tick tries again
    } finally {
      busy = false;
    }
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  let live = false;
  try {
    const module = await import("/static/js/live.js");
    if (typeof module.connectLive === "function") {
      module.connectLive({
        onEvent: (event) => { if (relevant(event)) refresh(); },
        onResync: refresh,
      });
      live = true;
    }
  } catch (_) {
    live = false; // not deployed yet, or the network dropped it: polling alone keeps up
  }
  setInterval(refresh, live ? slowMs : fastMs);
  return { live, refresh };
}
