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

// The header's menu (base.html): a <details> that is a "Menu" button on a narrow screen and
// always open from 64rem, where smertespor.css lays it out as the tools and a navigation bar.
// Open also means the links are in the accessibility tree on a wide screen; Escape closes it.
(() => {
  const menu = document.querySelector("[data-site-menu]");
  if (!menu) return;
  const wide = window.matchMedia("(min-width: 64rem)");
  const follow = () => {
    menu.open = wide.matches;
  };
  follow();
  wide.addEventListener("change", follow);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();

// Wide tables scroll inside their own box instead of widening the page on a phone. Each table
// in the page's content is wrapped once in a .table-scroll box (also after an htmx swap); a
// box that really scrolls can be reached and scrolled with the keyboard (WCAG 2.1.1).
(() => {
  const wrap = (root) => {
    for (const table of root.querySelectorAll("main table")) {
      if (table.closest(".table-scroll, .overflow-auto")) continue;
      const box = document.createElement("div");
      box.className = "table-scroll";
      // Moving an element blurs whatever it holds: give the focus back (after an htmx swap,
      // htmx has just put it on the new copy of the link the user had tabbed to).
      const focused = table.contains(document.activeElement) ? document.activeElement : null;
      table.before(box);
      box.append(table);
      if (focused) focused.focus({ preventScroll: true });
    }
    for (const box of document.querySelectorAll("main :is(.table-scroll, .overflow-auto)")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  };
  wrap(document);
  document.addEventListener("htmx:load", (event) => wrap(event.target.ownerDocument || document));
  window.addEventListener("resize", () => wrap(document));
})();
