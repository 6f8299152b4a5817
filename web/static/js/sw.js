// Linggong service worker. Pages are never cached (some carry phone numbers): a page
// that cannot load shows the offline page instead. Only static files are kept.
const VERSION = "lg-1";
const OFFLINE = "/offline";
const PRECACHE = [OFFLINE, "/static/css/app.css", "/static/js/app.js", "/static/js/early.js", "/static/icons/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // "?v=<hash>" files never change: cache first. Others (live.js, modules imported by
    // plain name) may: network first, the cached copy only when offline.
    const network = () => fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        // one copy per file: a new version replaces the old one
        caches.open(VERSION).then((cache) =>
          cache.delete(request, { ignoreSearch: true }).then(() => cache.put(request, copy)));
      }
      return response;
    });
    const cached = () => caches.match(request).then((hit) => hit || caches.match(request, { ignoreSearch: true }));
    event.respondWith(
      url.searchParams.has("v")
        ? caches.match(request).then((hit) => hit || network().catch(cached))
        : network().catch(cached),
    );
  }
});

// Web Push: a message the server encrypted for this browser (hired, pay recorded, terms
// changed ...). Shown even when no Linggong page is open; a tap opens the page it is about.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "零工", {
      body: data.body || "",
      tag: data.tag,
      icon: "/static/icons/icon-192.png",
      badge: "/static/icons/icon-192.png",
      data: { url: data.url || "/inbox" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL((event.notification.data && event.notification.data.url) || "/inbox", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/inbox", self.location.origin); // our own pages only
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const same = windows.find((client) => client.url === target.href);
      if (same) return same.focus();
      const open = windows.find((client) => "navigate" in client);
      if (open) return open.navigate(target.href).then((client) => client && client.focus());
      return self.clients.openWindow(target.href);
    }),
  );
});
