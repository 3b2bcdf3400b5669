// Opinion presets on the approval page (issue 17): choosing 同意 / 不同意 / 退回补充 fills the
// opinion text, which stays editable. Without scripts the 填入 button posts back and the
// server fills it.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-opinion-presets]")) return;
  var option = select.options[select.selectedIndex];
  var field = document.getElementById("id_opinion");
  if (!field || !option || !option.getAttribute("data-text")) return;
  field.value = option.getAttribute("data-text");
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
});
