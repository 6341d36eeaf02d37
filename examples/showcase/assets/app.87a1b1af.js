// Progressive enhancement only: every page works without this file.
// Shows the chosen file's size next to the upload field.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.type !== "file" || !input.files || !input.files[0]) return;
  var out = document.getElementById(input.id + "-size");
  if (out) out.textContent = Math.ceil(input.files[0].size / 1024) + " KiB";
});
