// Shows the name of the file chosen in a file input whose own button is hidden (the page's
// "choose a file" label stands in for it, in the page's language). Without JavaScript the
// choice still works; only the name is not repeated beside the button.
(function () {
  "use strict";
  var input = document.getElementById("register-file");
  var shown = document.getElementById("register-file-name");
  if (!input || !shown) { return; }
  input.addEventListener("change", function () {
    shown.textContent = input.files && input.files.length ? input.files[0].name : shown.dataset.none;
  });
})();
