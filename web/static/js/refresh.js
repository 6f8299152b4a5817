// Keeps a server-rendered fragment fresh: live events when /static/js/live.js is there,
// otherwise (or as a safety net) a periodic fetch of the fragment.
//
// A refresh asked for while it cannot run (a fetch already on its way, the page hidden,
// the person busy with a form or an open <details> in the fragment) is remembered and run
// once that ends: the fetch on its way may have been answered before the change that asked
// for it, and the next tick can be minutes away.
export async function keepFresh({ url, target, relevant, slowMs, fastMs, onSwap }) {
  let busy = false;
  let pending = false;
  function blocked() {
    return busy || document.hidden
      || Boolean(target.querySelector("details[open]")) || target.contains(document.activeElement);
  }
  async function refresh() {
    if (blocked()) {
      pending = true;
      return;
    }
    busy = true;
    pending = false;
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
    if (pending) refresh();
  }
  function retry() {
    if (pending) refresh();
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  // focus leaving the fragment, or a <details> in it closing, may unblock a remembered one
  // (after the focus moved: during focusout the element is still the active one)
  target.addEventListener("focusout", () => setTimeout(retry, 0));
  target.addEventListener("toggle", retry, true);
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
