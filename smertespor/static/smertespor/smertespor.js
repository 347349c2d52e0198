// Smertespor's own script, loaded from our origin: the Content-Security-Policy allows no
// inline code, so behaviour that used to sit in onclick="…" attributes lives here.

// A button marked data-print prints the page (handouts, summaries, certificates).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
