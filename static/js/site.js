/* Site-wide behaviour. Loaded on every page; everything works without it. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  // Collapsible navigation on narrow screens.
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // <form data-confirm="question">: ask before submitting (the server checks again).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
