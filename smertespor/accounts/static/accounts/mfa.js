// After a passkey is registered, show the page again with it listed.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
