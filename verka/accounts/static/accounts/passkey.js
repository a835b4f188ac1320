/* Passkeys (WebAuthn) on the security page (register) and the verify page (authenticate).
 *
 * Each `[data-passkey]` element names the ceremony and the two JSON endpoints of
 * django-otp-webauthn; the server's options and the browser's answer travel as JSON with
 * base64url for the binary fields (the WebAuthn Level 3 JSON forms). No inline script or
 * handler: this file is loaded from /static/, so the pages work under a strict CSP.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var padded = base64 + "===".slice((base64.length + 3) % 4);
    var binary = atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(element, url, body) {
    var token = element.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || "request failed");
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  // The credential as the server reads it (WebAuthn's JSON form): the same outer fields for
  // registering and for logging in, and the response's own fields of each ceremony.
  function asJSON(credential, responseFields) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: Object.assign(
        { clientDataJSON: toBase64url(credential.response.clientDataJSON) }, responseFields),
    };
  }

  function register(element) {
    return post(element, element.dataset.begin).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user = Object.assign({}, options.user, { id: toBytes(options.user.id) });
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var response = credential.response;
      return post(element, element.dataset.complete, asJSON(credential, {
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      }));
    });
  }

  function authenticate(element) {
    return post(element, element.dataset.begin).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var response = credential.response;
      return post(element, element.dataset.complete, asJSON(credential, {
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
      }));
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (element) {
    var button = element.querySelector("button");
    var status = element.querySelector(".passkey-status");
    var ceremony = element.dataset.passkey === "register" ? register : authenticate;
    button.addEventListener("click", function () {
      if (!window.PublicKeyCredential || !navigator.credentials) {
        status.textContent = element.dataset.unsupported;
        return;
      }
      button.disabled = true;
      status.textContent = "";
      ceremony(element).then(function () {
        window.location.assign(element.dataset.done);
      }).catch(function () {
        status.textContent = element.dataset.failed;
        button.disabled = false;
      });
    });
  });
})();
