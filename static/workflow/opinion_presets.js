// Opinion presets on the approval page (issue 17): a preset button fills the opinion text,
// which stays editable. Without scripts the button posts back and the server fills it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-opinion-preset]");
  if (!button) return;
  var field = document.getElementById("id_opinion");
  if (!field) return;
  event.preventDefault();
  field.value = button.getAttribute("data-opinion-preset");
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
});
