// Phone messages: subscribe this browser to Web Push, so hires, pay and changed jobs reach
// the phone while Linggong is closed. The inbox works without it (and without this file).
(function () {
  "use strict";
  var doc = document;
  var box = doc.getElementById("push-box");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var on = doc.getElementById("push-on");
  var off = doc.getElementById("push-off");
  var status = box.querySelector(".push-status");
  var csrf = doc.querySelector("input[name=csrf_token]").value;

  function say(key) { status.textContent = box.getAttribute("data-msg-" + key) || ""; }
  function show(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; say(subscribed ? "on" : "off"); }
  function bytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.status === 204 ? null : response.json();
    });
  }
  function ready() {
    return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
  }

  box.hidden = false;
  ready()
    .then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(function (subscription) { show(Boolean(subscription)); })
    .catch(function () { show(false); });

  on.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); return null; }
      return Promise.all([ready(), api("GET", "/api/v1/push/key")]).then(function (got) {
        return got[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(got[1].public_key) });
      }).then(function (subscription) {
        return api("POST", "/api/v1/push/subscriptions", subscription.toJSON());
      }).then(function () { show(true); });
    }).catch(function () { say("failed"); });
  });

  off.addEventListener("click", function () {
    ready().then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return api("DELETE", "/api/v1/push/subscriptions", { endpoint: endpoint });
        });
      })
      .then(function () { show(false); })
      .catch(function () { say("failed"); });
  });
})();
