// Progressive enhancement only: every page works without this file.

// A form that is being sent can't be sent twice by a second click.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  form.dataset.sending = "1";
  form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
});

// Coming back with the Back button (from the browser's page cache) makes those forms usable again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sending]").forEach((form) => {
    delete form.dataset.sending;
    form.querySelectorAll("button[aria-disabled]").forEach((b) => b.removeAttribute("aria-disabled"));
  });
});

// A new member's time zone is preselected from the browser's; without JavaScript it stays UTC until chosen.
const zone = document.querySelector("select[data-detect-zone]");
if (zone && zone.value === "UTC" && window.Intl) {
  const detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if ([...zone.options].some((option) => option.value === detected)) zone.value = detected;
}
