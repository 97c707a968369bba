// Message length: a live count under the message box, and a clear word when it is too long.
// Progressive enhancement: without JavaScript the hint states the limit and the server refuses
// a longer message with the text kept. The count is in characters as the server counts them
// (code points, one per line break), so the two never disagree.
(function () {
  "use strict";
  var box = document.getElementById("message");
  var counter = document.getElementById("message-count");
  var over = document.getElementById("message-over");
  if (!box || !counter || !over) { return; }
  var max = parseInt(box.getAttribute("data-max-length"), 10);
  if (!max) { return; }
  var countText = counter.getAttribute("data-count-text") || "";
  var overText = counter.getAttribute("data-over-text") || "";
  var numbers;
  try {
    numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  } catch (error) {
    numbers = { format: String };
  }
  var wasOver = false;

  function length(text) {
    return Array.from(text.trim().normalize ? text.trim().normalize("NFC") : text.trim()).length;
  }

  function update() {
    var count = length(box.value);
    counter.textContent = countText.replace("{count}", numbers.format(count));
    var isOver = count > max;
    if (isOver) {
      // Only the warning is announced (role=status), and only when it changes.
      over.textContent = overText.replace("{over}", numbers.format(count - max));
      box.setAttribute("aria-invalid", "true");
    } else if (wasOver) {
      over.textContent = "";
      box.removeAttribute("aria-invalid");
    }
    over.hidden = !isOver;
    wasOver = isOver;
  }

  counter.hidden = false;
  box.addEventListener("input", update);
  update();
})();
