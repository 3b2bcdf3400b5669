// Show only the fields of the chosen kind of party (单位 / 自然人). Without script both
// groups stay visible and the server ignores the other kind's fields.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-party-form]");
  const kind = form && form.querySelector("select[name=kind]");
  if (!kind) return;
  const update = () => {
    form.querySelectorAll("fieldset[data-kind]").forEach((group) => {
      group.hidden = kind.value !== "" && group.dataset.kind !== kind.value;
    });
  };
  kind.addEventListener("change", update);
  update();
});
