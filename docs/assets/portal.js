// Clinic Portal: two small additions to Material, run on every page (also after instant navigation).
document$.subscribe(function () {
  // A table or code block wider than the screen scrolls; keyboard users must be able to reach it.
  function focusableWhenScrolling() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusableWhenScrolling();
  window.addEventListener("resize", focusableWhenScrolling);

  // A printed policy or module says when it was printed and where it came from (extra.css, @media print).
  var header = document.querySelector(".portal-print-header");
  if (header) {
    header.setAttribute("data-printed", new Date().toISOString().slice(0, 10));
    header.setAttribute("data-address", window.location.href.split("#")[0]);
  }
});
